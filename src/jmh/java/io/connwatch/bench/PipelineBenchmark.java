package io.connwatch.bench;

import io.connwatch.netty.TrackingHandler;
import io.connwatch.tracking.ConnectionTracker;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What connwatch adds to one request/response turn in a Netty pipeline, without sockets or scheduling: a request
 * read from the client channel and its answer written back, through a pipeline with ({@code tracked=true}) or
 * without ({@code false}) the {@link TrackingHandler} in front of the application's handler. The difference is
 * the tracking handler's own per-request cost in isolation (two pipeline hops, two counter updates); in the running
 * proxy the handlers cost more than this shows (see BENCHMARKS.md), which is why the reference proxy counts in its
 * relay handlers instead.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class PipelineBenchmark {
    @Param({"false", "true"})
    boolean tracked;

    EmbeddedChannel channel;
    ByteBuf request;

    /** Answers every message by writing it back: the request turn of a relay, in one handler. */
    @ChannelHandler.Sharable
    static final class Answer extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg, ctx.voidPromise());
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        ConnectionTracker tracker = new ConnectionTracker("bench-pipeline");
        channel = tracked ? new EmbeddedChannel(new TrackingHandler(tracker), new Answer())
                : new EmbeddedChannel(new Answer());
        request = Unpooled.directBuffer(128).writeBytes(
                "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        // The first read sniffs the protocol once per connection; the turns measured are the ones after it.
        turn();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channel.finishAndReleaseAll();
        request.release();
    }

    /** One request in, its answer out. */
    @Benchmark
    public Object turn() {
        channel.writeInbound(request.retainedDuplicate());
        ByteBuf out = channel.readOutbound();
        out.release();
        return out;
    }
}
