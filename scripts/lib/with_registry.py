#!/usr/bin/env python3
"""Adds spec.registry.mlflow to the ModelCandidates (and ModelPipelines' candidateTemplate) of a
manifest stream: with_registry.py TRACKING_URI < manifests.yaml | kubectl apply -f -

scripts/demo uses it so that the demo's model follows its decisions in a real MLflow
(docs/registry.md) while config/demo/ stays usable without one.
"""
import sys

import yaml

uri = sys.argv[1]
docs = [d for d in yaml.safe_load_all(sys.stdin) if d]
for d in docs:
    registry = {"mlflow": {"trackingUri": uri}}
    if d.get("kind") == "ModelCandidate":
        d["spec"]["registry"] = registry
    elif d.get("kind") == "ModelPipeline":
        d["spec"]["candidateTemplate"]["registry"] = registry
yaml.safe_dump_all(docs, sys.stdout, sort_keys=False)
