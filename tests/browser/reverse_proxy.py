"""A reverse proxy for tests, doing what docs/deploy.md asks of the office's nginx.

It forwards ``/xuncha/`` unchanged (HTTP and websockets) to ``toolkit serve --base-url /xuncha/``
on 127.0.0.1, sends ``Host`` as nginx's default (``$proxy_host``: the upstream's address), and
rewrites ``Origin`` only when it is the proxy's own public origin (the ``map`` in deploy.md), so a
page of another site still meets the server's origin check.
"""

from __future__ import annotations

import asyncio
import threading

from tornado import httpclient, httpserver, web, websocket


class Proxy:
    def __init__(self, upstream_port: int, prefix: str = "/xuncha/") -> None:
        self.upstream = f"127.0.0.1:{upstream_port}"
        self.prefix = prefix
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Proxy:
        self._thread.start()
        self._ready.wait(30)
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)

    @property
    def public(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def headers(self, request) -> dict[str, str]:
        headers = {k: v for k, v in request.headers.get_all() if k.lower() not in {"host", "origin"}}
        headers["Host"] = self.upstream
        origin = request.headers.get("Origin")
        if origin:
            headers["Origin"] = f"http://{self.upstream}" if origin == self.public else origin
        return headers

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        proxy = self

        class Sockets(websocket.WebSocketHandler):
            async def open(self, *args):
                url = f"ws://{proxy.upstream}{self.request.uri}"
                request = httpclient.HTTPRequest(url, headers=proxy.headers(self.request))
                self.upstream = await websocket.websocket_connect(request, on_message_callback=self.relay)

            def relay(self, message):
                if message is None:
                    self.close()
                else:
                    self.write_message(message, binary=isinstance(message, bytes))

            def on_message(self, message):
                self.upstream.write_message(message, binary=isinstance(message, bytes))

            def on_close(self):
                if getattr(self, "upstream", None) is not None:
                    self.upstream.close()

            def check_origin(self, origin):
                return True  # the upstream checks it (nginx does not either)

        class Pages(web.RequestHandler):
            SUPPORTED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")

            async def forward(self, *args):
                """Stream the answer through as it comes (Voila streams a page while its kernel runs)."""
                from tornado.httputil import HTTPHeaders, parse_response_start_line

                state = {"headers": HTTPHeaders(), "sent": False}

                def on_header(line: str) -> None:
                    if line.startswith("HTTP/"):
                        start = parse_response_start_line(line.strip())
                        state["code"], state["reason"] = start.code, start.reason
                        state["headers"] = HTTPHeaders()
                    elif line.strip():
                        state["headers"].parse_line(line)

                def send_head() -> None:
                    if state["sent"]:
                        return
                    state["sent"] = True
                    self.set_status(state["code"], state["reason"])
                    self.clear_header("Content-Type")
                    for k, v in state["headers"].get_all():
                        if k.lower() not in {"content-length", "transfer-encoding", "connection"}:
                            self.add_header(k, v)

                def on_chunk(chunk: bytes) -> None:
                    send_head()
                    self.write(chunk)
                    self.flush()

                await httpclient.AsyncHTTPClient().fetch(
                    f"http://{proxy.upstream}{self.request.uri}",
                    method=self.request.method,
                    headers=proxy.headers(self.request),
                    body=self.request.body if self.request.method in ("POST", "PUT", "PATCH") else None,
                    allow_nonstandard_methods=True,
                    follow_redirects=False,
                    raise_error=False,
                    request_timeout=300,
                    header_callback=on_header,
                    streaming_callback=on_chunk,
                )
                send_head()

            get = post = put = patch = delete = head = options = forward

        app = web.Application([(rf"{self.prefix}(?:.*/)?channels.*", Sockets), (rf"{self.prefix}.*", Pages)])
        server = httpserver.HTTPServer(app)
        sockets = __import__("tornado.netutil").netutil.bind_sockets(0, "127.0.0.1")
        server.add_sockets(sockets)
        self.port = sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
