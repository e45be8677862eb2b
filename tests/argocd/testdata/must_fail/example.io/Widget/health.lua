-- Fixture for run_tests.sh: the runner must report these cases as failures.
return {status = "Healthy", message = "always healthy"}
