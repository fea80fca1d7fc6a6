#pragma once
// A small HTTP/1.1 server on 127.0.0.1 for the download tests: each connection gets one
// response from a handler, then is closed. A response can stop mid-body to simulate a
// dropped connection. Requests are recorded for assertions.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace ecg::testing {

struct HttpRequest {
  std::string method, path;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int64_t close_after_bytes = -1;  // >= 0: send only this much of the body, then close
  int chunk_delay_ms = 0;          // > 0: send the body in 16 KiB chunks, pausing between them
};

/// 200 with `content`, or 206 from the offset of a "Range: bytes=N-" header.
inline HttpResponse serve_bytes(const HttpRequest& req, const std::string& content) {
  HttpResponse r;
  const std::string range = req.header("range");
  if (range.rfind("bytes=", 0) == 0) {
    const size_t from = std::stoull(range.substr(6));
    if (from >= content.size()) return {416, {}, "", -1};
    r.status = 206;
    r.headers.push_back({"Content-Range", "bytes " + std::to_string(from) + "-" + std::to_string(content.size() - 1) +
                                              "/" + std::to_string(content.size())});
    r.body = content.substr(from);
  } else {
    r.body = content;
  }
  return r;
}

class HttpTestServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  explicit HttpTestServer(Handler handler) : handler_(std::move(handler)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 64) != 0) {
      throw std::runtime_error("test server: cannot listen");
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~HttpTestServer() {
    stop_ = true;
    acceptor_.join();
    for (auto& t : workers_) t.join();
    ::close(fd_);
  }

  int port() const { return port_; }
  std::string url(const std::string& path = "") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  std::vector<HttpRequest> requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }
  size_t count(const std::string& path) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return static_cast<size_t>(
        std::count_if(requests_.begin(), requests_.end(), [&](const HttpRequest& r) { return r.path == path; }));
  }

 private:
  void accept_loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      workers_.emplace_back([this, c] { serve(c); });
    }
  }

  static void send_all(int c, const char* data, size_t n) {
    while (n > 0) {
      const ssize_t w = ::send(c, data, n, MSG_NOSIGNAL);
      if (w <= 0) return;
      data += w;
      n -= static_cast<size_t>(w);
    }
  }

  void serve(int c) {
    std::string in;
    char buf[4096];
    while (in.find("\r\n\r\n") == std::string::npos) {
      pollfd p{c, POLLIN, 0};
      if (::poll(&p, 1, 2000) <= 0) break;
      const ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) break;
      in.append(buf, static_cast<size_t>(n));
    }
    HttpRequest req;
    size_t pos = in.find("\r\n");
    const std::string first = in.substr(0, pos);
    req.method = first.substr(0, first.find(' '));
    req.path = first.substr(first.find(' ') + 1);
    req.path = req.path.substr(0, req.path.find(' '));
    while (pos != std::string::npos && pos + 2 < in.size()) {
      const size_t next = in.find("\r\n", pos + 2);
      const std::string line = in.substr(pos + 2, next - pos - 2);
      pos = next;
      const auto colon = line.find(':');
      if (line.empty() || colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
      req.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      requests_.push_back(req);
    }
    const HttpResponse r = handler_(req);
    std::string head = "HTTP/1.1 " + std::to_string(r.status) +
                       " X\r\nContent-Length: " + std::to_string(r.body.size()) + "\r\nConnection: close\r\n";
    for (const auto& [k, v] : r.headers) head += k + ": " + v + "\r\n";
    head += "\r\n";
    send_all(c, head.data(), head.size());
    const size_t n =
        r.close_after_bytes >= 0 ? std::min(r.body.size(), static_cast<size_t>(r.close_after_bytes)) : r.body.size();
    if (req.method != "HEAD") {
      const size_t chunk = r.chunk_delay_ms > 0 ? 16384 : std::max<size_t>(n, 1);
      for (size_t off = 0; off < n && !stop_; off += chunk) {
        send_all(c, r.body.data() + off, std::min(chunk, n - off));
        if (r.chunk_delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(r.chunk_delay_ms));
      }
    }
    ::shutdown(c, SHUT_RDWR);
    ::close(c);
  }

  Handler handler_;
  int fd_ = -1, port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::vector<std::thread> workers_;
  mutable std::mutex mutex_;
  std::vector<HttpRequest> requests_;
};

}  // namespace ecg::testing
