package io.connwatch.agent.apps;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpResources;
import reactor.netty.http.server.HttpServer;

/**
 * A Reactor Netty {@link HttpServer} that is no proxy at all: {@code GET /} is answered {@code 200} with
 * {@link #BODY}, keep-alive; any other path {@code 404}. It opens no connection of its own.
 *
 * <p>Arguments: {@code [--nio] [LISTEN_PORT]} (port 0, the default, for any free one; it listens on 127.0.0.1).
 * {@code --nio} runs on Java NIO instead of the native transport Reactor Netty picks where it can. Prints
 * {@link AppLines#LISTENING} when ready; stops on {@code stop}, SIGTERM or SIGINT.
 */
public final class ReactorPlainServer {
    /** The body of {@code GET /}. */
    public static final String BODY = "hello from reactor netty\n";

    private ReactorPlainServer() {
    }

    public static void main(String[] args) throws Exception {
        boolean nio = args.length > 0 && args[0].equals("--nio");
        int first = nio ? 1 : 0;
        if (args.length - first > 1 || (args.length > first && args[first].startsWith("--"))) {
            throw AppLifecycle.refuse("usage: ReactorPlainServer [--nio] [LISTEN_PORT]");
        }
        int port = args.length > first ? AppLifecycle.number("LISTEN_PORT", args[first], 0, 65535) : 0;
        int length = BODY.getBytes(StandardCharsets.UTF_8).length;
        HttpServer server = HttpServer.create().host("127.0.0.1").port(port)
                .route(routes -> routes.get("/", (req, res) -> res
                        .header(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                        .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(length))
                        .sendString(Mono.just(BODY))));
        if (nio) {
            server = server.runOn(HttpResources.get(), false);
        }
        DisposableServer bound = server.bindNow();
        System.out.println("listening on 127.0.0.1:" + bound.port());
        AppLifecycle.awaitStop(AppLifecycle::unknownCommand);
        bound.disposeNow(Duration.ofSeconds(5));
        AppLifecycle.exitStopped();
    }
}
