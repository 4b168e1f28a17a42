package io.connwatch.agent.apps;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A backend on loopback for the agent's tests and benchmark, a plain Netty server (NIO) that behaves per mode:
 * <ul>
 *   <li>{@code hang}: reads whatever comes and never answers nor closes (a backend stuck mid-request);</li>
 *   <li>{@code echo}: sends back what it reads;</li>
 *   <li>{@code http}: answers every HTTP/1.1 request with {@code 200} and {@link #BODY}, keeping the connection
 *       open unless the client asks otherwise; {@code /status/NNN} answers with status NNN instead;</li>
 *   <li>{@code http-hang-path}: as {@code http}, except that a request whose path starts with {@code /hang} is never
 *       answered, and neither is anything after it on that connection (HTTP/1.1 answers in order).</li>
 * </ul>
 * Prints {@link AppLines#LISTENING} when ready and {@link AppLines#HUNG} for each connection or request it leaves
 * hanging; answers {@code count} on its input with {@link AppLines#COUNTS}; stops on {@code stop}, SIGTERM or SIGINT.
 *
 * <p>Arguments: {@code MODE [PORT]} (port 0, the default, for any free one).
 */
public final class HangingBackend {
    /** The body of every HTTP answer. */
    public static final String BODY = "hello from the backend\n";
    private static final byte[] BODY_BYTES = BODY.getBytes(StandardCharsets.US_ASCII);

    private enum Mode { HANG, ECHO, HTTP, HTTP_HANG_PATH }

    private final AtomicLong open = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong hung = new AtomicLong();

    private HangingBackend() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            throw AppLifecycle.refuse("usage: HangingBackend hang|echo|http|http-hang-path [PORT]");
        }
        Mode mode = switch (args[0]) {
            case "hang" -> Mode.HANG;
            case "echo" -> Mode.ECHO;
            case "http" -> Mode.HTTP;
            case "http-hang-path" -> Mode.HTTP_HANG_PATH;
            default -> throw AppLifecycle.refuse("unknown mode '" + args[0]
                    + "': the modes are hang, echo, http, http-hang-path");
        };
        int port = args.length > 1 ? AppLifecycle.number("PORT", args[1], 0, 65535) : 0;
        new HangingBackend().run(mode, port);
    }

    private void run(Mode mode, int port) throws Exception {
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        Channel server = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted.incrementAndGet();
                        open.incrementAndGet();
                        ch.closeFuture().addListener(f -> open.decrementAndGet());
                        switch (mode) {
                            case HANG -> ch.pipeline().addLast(new Hang());
                            case ECHO -> ch.pipeline().addLast(new Echo());
                            default -> ch.pipeline().addLast(new HttpServerCodec(),
                                    new HttpObjectAggregator(1 << 20), new HttpAnswer(mode == Mode.HTTP_HANG_PATH));
                        }
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
        System.out.println("listening on 127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort());
        AppLifecycle.awaitStop(line -> {
            if (line.equals("count")) {
                System.out.println("counts open=" + open.get() + " accepted=" + accepted.get() + " answered="
                        + answered.get() + " hung=" + hung.get());
            } else {
                System.out.println("unknown command '" + line + "': the commands are count and stop");
            }
        });
        server.close().await(5, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        AppLifecycle.exitStopped();
    }

    /** Reads and drops everything; says so once, when the first bytes arrive. */
    private final class Hang extends ChannelInboundHandlerAdapter {
        private long bytes;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            boolean first = bytes == 0;
            bytes += ((ByteBuf) msg).readableBytes();
            ReferenceCountUtil.release(msg);
            if (first) {
                hung.incrementAndGet();
                System.out.println("hung connection from " + address(ctx) + " after " + bytes + " bytes");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a client that resets is no news here
        }
    }

    private final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            answered.incrementAndGet();
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a client that resets is no news here
        }
    }

    private final class HttpAnswer extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final boolean hangPaths;
        private boolean hanging;

        HttpAnswer(boolean hangPaths) {
            this.hangPaths = hangPaths;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (hanging) {
                return;
            }
            String uri = request.uri();
            if (hangPaths && uri.startsWith("/hang")) {
                hanging = true;
                hung.incrementAndGet();
                System.out.println("hung " + request.method() + " " + uri + " from " + address(ctx));
                return;
            }
            HttpResponseStatus status = HttpResponseStatus.OK;
            if (uri.startsWith("/status/")) {
                try {
                    status = HttpResponseStatus.valueOf(Integer.parseInt(uri.substring("/status/".length())));
                } catch (IllegalArgumentException e) {
                    status = HttpResponseStatus.BAD_REQUEST;
                }
            }
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.wrappedBuffer(BODY_BYTES));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, BODY_BYTES.length);
            answered.incrementAndGet();
            if (HttpUtil.isKeepAlive(request)) {
                ctx.writeAndFlush(response);
            } else {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a client that resets is no news here
        }
    }

    private static String address(ChannelHandlerContext ctx) {
        InetSocketAddress a = (InetSocketAddress) ctx.channel().remoteAddress();
        return a == null ? "?" : a.getAddress().getHostAddress().toLowerCase(Locale.ROOT) + ":" + a.getPort();
    }
}
