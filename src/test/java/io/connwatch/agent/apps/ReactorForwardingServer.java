package io.connwatch.agent.apps;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.ReadTimeoutException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpResources;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.ConnectionProvider;

/**
 * The shape of Spring Cloud Gateway, without Spring: a Reactor Netty {@link HttpServer} that forwards every request,
 * method, path, headers and body, with a pooled {@link HttpClient} (a named {@link ConnectionProvider} with a maximum
 * number of connections) to one backend, and streams the backend's status, headers and body back. The incoming
 * connections are Reactor Netty's acceptor's, the outgoing ones its connection pool's: neither goes through Netty's
 * {@code ServerBootstrap} or {@code Bootstrap.connect} the way a hand-written proxy's do.
 *
 * <p>No response timeout unless asked for: a backend that never answers leaves the request, and the pooled
 * connection it went out on, hanging, as in a gateway configured without one. With one, a backend too slow is
 * answered {@code 504}; one that cannot be reached, {@code 502}.
 *
 * <p>Arguments: {@code [--nio] [--response-timeout-ms MS] [--tls KEYSTORE PASSWORD] LISTEN_PORT BACKEND_BASE_URL
 * [POOL_SIZE]}: listen port 0
 * for any free one (it listens on 127.0.0.1), the backend as {@code http://127.0.0.1:8080}, the pool's maximum
 * ({@value #DEFAULT_POOL}). {@code --nio} runs on Java NIO; without it Reactor Netty picks the native transport where
 * it is there (epoll on Linux), as it does in production. {@code --tls} serves HTTPS with the key in a PKCS12 key store
 * (the backend stays plain HTTP), so that a TLS handler sits first in each incoming pipeline. Prints {@link AppLines#LISTENING} when ready; stops on
 * {@code stop}, SIGTERM or SIGINT.
 */
public final class ReactorForwardingServer {
    /** The name of the connection pool, as Reactor Netty's metrics and logs show it. */
    public static final String POOL_NAME = "upstream";
    static final int DEFAULT_POOL = 50;
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "transfer-encoding", "te", "trailer", "upgrade", "host");

    private ReactorForwardingServer() {
    }

    public static void main(String[] args) throws Exception {
        boolean nio = false;
        Duration responseTimeout = null;
        SslContext tls = null;
        int i = 0;
        for (; i < args.length && args[i].startsWith("--"); i++) {
            if (args[i].equals("--nio")) {
                nio = true;
            } else if (args[i].equals("--response-timeout-ms") && i + 1 < args.length) {
                responseTimeout = Duration.ofMillis(
                        AppLifecycle.number("--response-timeout-ms", args[++i], 1, Integer.MAX_VALUE));
            } else if (args[i].equals("--tls") && i + 2 < args.length) {
                tls = serverContext(Path.of(args[++i]), args[++i].toCharArray());
            } else {
                throw AppLifecycle.refuse("unknown option '" + args[i]
                        + "': the options are --nio, --response-timeout-ms MS and --tls KEYSTORE PASSWORD");
            }
        }
        if (args.length - i < 2 || args.length - i > 3) {
            throw AppLifecycle.refuse("usage: ReactorForwardingServer [--nio] [--response-timeout-ms MS]"
                    + " [--tls KEYSTORE PASSWORD] LISTEN_PORT BACKEND_BASE_URL [POOL_SIZE]");
        }
        int port = AppLifecycle.number("LISTEN_PORT", args[i], 0, 65535);
        String backend = args[i + 1];
        if (!backend.startsWith("http://")) {
            throw AppLifecycle.refuse("BACKEND_BASE_URL must be an http:// URL, like http://127.0.0.1:8080, not '"
                    + backend + "'");
        }
        int pool = args.length - i > 2 ? AppLifecycle.number("POOL_SIZE", args[i + 2], 1, 100_000) : DEFAULT_POOL;

        ConnectionProvider provider = ConnectionProvider.builder(POOL_NAME).maxConnections(pool).build();
        HttpClient client = HttpClient.create(provider).baseUrl(backend);
        if (responseTimeout != null) {
            client = client.responseTimeout(responseTimeout);
        }
        HttpServer server = HttpServer.create().host("127.0.0.1").port(port);
        if (nio) {
            client = client.runOn(HttpResources.get(), false);
            server = server.runOn(HttpResources.get(), false);
        }
        if (tls != null) {
            SslContext context = tls;
            server = server.secure(spec -> spec.sslContext(context));
        }
        HttpClient upstream = client;
        DisposableServer bound = server.handle((req, res) -> forward(upstream, req, res)).bindNow();
        System.out.println("listening on 127.0.0.1:" + bound.port());
        AppLifecycle.awaitStop(AppLifecycle::unknownCommand);
        bound.disposeNow(Duration.ofSeconds(5));
        provider.disposeLater().block(Duration.ofSeconds(5));
        AppLifecycle.exitStopped();
    }

    private static SslContext serverContext(Path keyStore, char[] password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, password);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        return SslContextBuilder.forServer(keys).build();
    }

    private static Publisher<Void> forward(HttpClient client, HttpServerRequest req, HttpServerResponse res) {
        HttpHeaders in = req.requestHeaders();
        boolean hasBody = in.contains(HttpHeaderNames.CONTENT_LENGTH)
                || in.containsValue(HttpHeaderNames.TRANSFER_ENCODING, "chunked", true);
        HttpClient.RequestSender sender = client
                .headers(h -> copyEndToEnd(in, h))
                .request(req.method())
                .uri(req.uri());
        // The bodies are handed from one connection to the other as they come; each side releases what it
        // received once its handler returns, so what is passed on is retained.
        HttpClient.ResponseReceiver<?> receiver = hasBody ? sender.send(req.receive().retain()) : sender;
        return receiver
                .response((backendRes, body) -> {
                    res.status(backendRes.status());
                    copyEndToEnd(backendRes.responseHeaders(), res.responseHeaders());
                    return res.send(body.retain());
                })
                .then()
                .onErrorResume(e -> {
                    if (res.hasSentHeaders()) {
                        return Mono.error(e);
                    }
                    // As a gateway answers: 504 when the response timeout ran out, 502 for any other failure.
                    HttpResponseStatus status = e instanceof ReadTimeoutException
                            ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY;
                    return res.status(status).header(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                            .sendString(Mono.just(status.reasonPhrase() + ": " + e + "\n")).then();
                });
    }

    private static void copyEndToEnd(HttpHeaders from, HttpHeaders to) {
        from.forEach(e -> {
            if (!HOP_BY_HOP.contains(e.getKey().toLowerCase(Locale.ROOT))) {
                to.add(e.getKey(), e.getValue());
            }
        });
    }
}
