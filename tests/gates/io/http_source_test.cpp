#include "gates/io/http_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gates/io/record_reader.h"
#include "gates/policy/eval_policy.h"
#include "tests/gates/io/test_http_server.h"
#include "tests/gates/test_util.h"

namespace modelgate::gates {
namespace {

using ::testing::HasSubstr;
using testing::Gate;
using testing::HttpTestConnection;
using testing::HttpTestRequest;
using testing::HttpTestServer;

// Reads a source to its end; the error when a Read fails.
Result<std::string> Drain(ByteSource& source) {
  std::string text;
  char buffer[1000];
  while (true) {
    auto got = source.Read(buffer, sizeof(buffer));
    if (!got.ok()) return got.status();
    if (*got == 0) return text;
    text.append(buffer, *got);
  }
}

Result<std::string> Fetch(const std::string& url, const HttpSourceOptions& options = {}) {
  auto source = OpenHttpSource(url, options);
  if (!source.ok()) return source.status();
  return Drain(**source);
}

// Releases a blocked server handler however the test ends (declared after the server, so it
// runs before the server joins its threads).
struct OpenOnExit {
  Gate& gate;
  ~OpenOnExit() { gate.Open(); }
};

std::string Big(size_t bytes) {
  std::string text;
  for (size_t i = 0; text.size() < bytes; ++i) text += std::to_string(i) + ",row\n";
  text.resize(bytes);
  return text;
}

TEST(HttpSource, ReturnsTheBodyOfA200Answer) {
  const std::string body = "a,b\n1,2\n3,4\n";
  std::string target;
  HttpTestServer server([&](const HttpTestRequest& request, HttpTestConnection& c) {
    target = request.target;
    c.Respond(200, body);
  });
  auto got = Fetch(server.url("/data/x.csv?version=3"));
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, body);
  EXPECT_EQ(target, "/data/x.csv?version=3");
}

TEST(HttpSource, StreamsALargeChunkedBodyUnchanged) {
  const std::string body = Big(3 << 20);
  HttpTestServer server([&](const HttpTestRequest&, HttpTestConnection& c) {
    c.Write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    for (size_t at = 0; at < body.size(); at += 100000) {
      std::string piece = body.substr(at, 100000);
      char size[32];
      std::snprintf(size, sizeof(size), "%zx\r\n", piece.size());
      c.Write(size + piece + "\r\n");
    }
    c.Write("0\r\n\r\n");
  });
  auto got = Fetch(server.url("/big.csv"));
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->size(), body.size());
  EXPECT_TRUE(*got == body);
}

TEST(HttpSource, InflatesAGzipBody) {
  const std::string plain = Big(200000);
  HttpTestServer server([&](const HttpTestRequest&, HttpTestConnection& c) {
    c.Respond(200, testing::Gzip(plain), {{"Content-Type", "application/gzip"}});
  });
  auto got = Fetch(server.url("/data.csv.gz"));
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_TRUE(*got == plain);
}

TEST(HttpSource, InflatesAContentEncodingGzipBody) {
  HttpTestServer server([&](const HttpTestRequest&, HttpTestConnection& c) {
    c.Respond(200, testing::Gzip("x\n1\n"), {{"Content-Encoding", "gzip"}});
  });
  auto got = Fetch(server.url("/data.csv"));
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, "x\n1\n");
}

TEST(HttpSource, EmptyBodyIsEmptyInput) {
  HttpTestServer server([&](const HttpTestRequest&, HttpTestConnection& c) { c.Respond(200, ""); });
  auto got = Fetch(server.url("/empty.csv"));
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, "");
}

TEST(HttpSource, NotFoundIsKNotFoundNamingTheUrl) {
  HttpTestServer server([&](const HttpTestRequest&, HttpTestConnection& c) {
    c.Respond(404, "no such object");
  });
  auto got = OpenHttpSource(server.url("/missing.csv"));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kNotFound);
  EXPECT_THAT(got.status().message(), HasSubstr(server.url("/missing.csv")));
  EXPECT_THAT(got.status().message(), HasSubstr("404"));
}

TEST(HttpSource, ServerErrorIsKIoWithStatusAndTheStartOfTheBody) {
  HttpTestServer server([&](const HttpTestRequest&, HttpTestConnection& c) {
    c.Respond(500, "backend exploded\n" + std::string(5000, 'z'));
  });
  auto got = OpenHttpSource(server.url("/data.csv"));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kIo);
  EXPECT_THAT(got.status().message(), HasSubstr("HTTP 500"));
  EXPECT_THAT(got.status().message(), HasSubstr("backend exploded"));
  EXPECT_LT(got.status().message().size(), 400u) << "only the start of the body is quoted";
}

TEST(HttpSource, FollowsARedirect) {
  std::string location;
  HttpTestServer server([&](const HttpTestRequest& request, HttpTestConnection& c) {
    if (request.target == "/old.csv") {
      c.Respond(302, "", {{"Location", location}});
    } else {
      c.Respond(200, "x\n1\n");
    }
  });
  location = server.url("/new.csv");
  auto got = Fetch(server.url("/old.csv"));
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, "x\n1\n");
}

TEST(HttpSource, EndlessRedirectsAreAnErrorNamingTheLocation) {
  std::string location;
  HttpTestServer server([&](const HttpTestRequest&, HttpTestConnection& c) {
    c.Respond(302, "", {{"Location", location}});
  });
  location = server.url("/loop.csv");
  auto got = OpenHttpSource(server.url("/loop.csv"));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kIo);
  EXPECT_THAT(got.status().message(), HasSubstr("HTTP 302"));
  EXPECT_THAT(got.status().message(), HasSubstr(location));
}

TEST(HttpSource, ConnectionRefusedIsKUnavailable) {
  const std::string url = "http://127.0.0.1:" + std::to_string(testing::RefusedPort()) + "/d.csv";
  auto got = OpenHttpSource(url, {.timeout = std::chrono::seconds(10)});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(got.status().message(), HasSubstr(url));
}

TEST(HttpSource, UnresolvableHostIsKUnavailable) {
  const std::string url = "http://modelgate-no-such-host.invalid/d.csv";
  auto got = OpenHttpSource(url, {.timeout = std::chrono::seconds(10)});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(got.status().message(), HasSubstr(url));
}

TEST(HttpSource, SilentServerTimesOutWithKUnavailable) {
  Gate release;
  HttpTestServer server([&](const HttpTestRequest&, HttpTestConnection&) { release.Wait(); });
  OpenOnExit open_on_exit{release};
  auto got = OpenHttpSource(server.url("/slow.csv"), {.timeout = std::chrono::milliseconds(300)});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(got.status().message(), HasSubstr("timed out after 300 ms"));
}

TEST(HttpSource, BodyThatStallsTimesOutOnTheWholeTransferDeadline) {
  Gate release;
  HttpTestServer server([&](const HttpTestRequest&, HttpTestConnection& c) {
    // cpprest hands a Content-Length body over in 64 KiB blocks: send more than one, then stall.
    c.Write("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\nConnection: close\r\n\r\n" +
            Big(200000));
    release.Wait();
  });
  OpenOnExit open_on_exit{release};
  auto source = OpenHttpSource(server.url("/stall.csv"), {.timeout = std::chrono::milliseconds(1000)});
  ASSERT_TRUE(source.ok()) << source.status().message();
  auto got = Drain(**source);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(got.status().message(), HasSubstr("timed out"));
}

TEST(HttpSource, BodyCutShortIsAnError) {
  HttpTestServer server([&](const HttpTestRequest&, HttpTestConnection& c) {
    c.Write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nConnection: close\r\n\r\nx,y\n1,2\n");
  });
  auto got = Fetch(server.url("/cut.csv"), {.timeout = std::chrono::seconds(10)});
  ASSERT_FALSE(got.ok()) << "a truncated body must never pass as complete input";
  EXPECT_THAT(got.status().message(), HasSubstr(server.url("/cut.csv")));
}

TEST(HttpSource, ContentLengthAboveMaxBytesFailsBeforeReading) {
  HttpTestServer server([&](const HttpTestRequest&, HttpTestConnection& c) { c.Respond(200, Big(5000)); });
  auto got = OpenHttpSource(server.url("/d.csv"), {.max_bytes = 1000});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kLimitExceeded);
  EXPECT_THAT(got.status().message(), HasSubstr("1000 bytes"));
}

TEST(HttpSource, ChunkedBodyAboveMaxBytesFailsWhileReading) {
  HttpTestServer server([&](const HttpTestRequest&, HttpTestConnection& c) {
    c.Write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    const std::string piece(4096, 'a');
    for (int i = 0; i < 10; ++i) c.Write("1000\r\n" + piece + "\r\n");
    c.Write("0\r\n\r\n");
  });
  auto got = Fetch(server.url("/d.csv"), {.max_bytes = 10000});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kLimitExceeded);
}

TEST(HttpSource, BodyExactlyAtMaxBytesIsAccepted) {
  HttpTestServer server([&](const HttpTestRequest&, HttpTestConnection& c) { c.Respond(200, Big(1000)); });
  auto got = Fetch(server.url("/d.csv"), {.max_bytes = 1000});
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->size(), 1000u);
}

TEST(HttpSource, MalformedUrlIsAUsageError) {
  auto got = OpenHttpSource("http://");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kUsage);
  EXPECT_THAT(got.status().message(), HasSubstr("http://"));
}

TEST(HttpSource, RecognisesHttpUrlsOnly) {
  EXPECT_TRUE(IsHttpUrl("http://a/b"));
  EXPECT_TRUE(IsHttpUrl("HTTPS://a/b"));
  EXPECT_FALSE(IsHttpUrl("file:///a/b"));
  EXPECT_FALSE(IsHttpUrl("httpdata.csv"));
}

TEST(HttpSource, RecordReaderReadsCsvFromAUrl) {
  HttpTestServer server([&](const HttpTestRequest&, HttpTestConnection& c) {
    c.Respond(200, testing::Gzip("label,score\n1,0.9\n0,0.2\n"));
  });
  auto reader = OpenRecordReader(server.url("/eval.csv.gz"));
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  EXPECT_EQ((*reader)->columns(), (std::vector<std::string>{"label", "score"}));
  Record record;
  int rows = 0;
  while (true) {
    auto more = (*reader)->Next(record);
    ASSERT_TRUE(more.ok()) << more.status().message();
    if (!*more) break;
    ++rows;
  }
  EXPECT_EQ(rows, 2);
}

TEST(HttpSource, RecordReaderPicksJsonLinesByTheUrlPath) {
  HttpTestServer server([&](const HttpTestRequest&, HttpTestConnection& c) {
    c.Respond(200, "{\"step\": 1, \"loss\": 0.5}\n");
  });
  auto reader = OpenRecordReader(server.url("/train.jsonl"));
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  EXPECT_EQ((*reader)->columns(), (std::vector<std::string>{"step", "loss"}));
}

TEST(HttpSource, PolicyTextIsReadFromAUrl) {
  HttpTestServer server([&](const HttpTestRequest&, HttpTestConnection& c) { c.Respond(200, "a: 1\n"); });
  auto text = ReadTextFile(server.url("/policy.yaml"), "policy");
  ASSERT_TRUE(text.ok()) << text.status().message();
  EXPECT_EQ(*text, "a: 1\n");
  auto missing = ReadTextFile("http://127.0.0.1:" + std::to_string(testing::RefusedPort()) + "/p.yaml",
                              "policy");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(missing.status().message(), HasSubstr("policy http://127.0.0.1:"));
}

}  // namespace
}  // namespace modelgate::gates
