package io.connwatch.proxy;

import io.connwatch.netty.LifecycleTrackingHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;

/**
 * A host's bugs, put into the reference proxy's client pipelines through
 * {@link ConnwatchProxy.Builder#onClientPipeline}: the fault scenarios reproduce them on the real proxy, and the proxy
 * itself has no switch for them.
 */
final class HostBugs {
    private HostBugs() {
    }

    /** Scenario 7: the handler that would tell the tracker is removed before each close, so the tracker never hears. */
    static void forgetToTellTracker(ChannelPipeline pipeline) {
        pipeline.addLast(new ForgetToTellTracker());
    }

    /** Scenario 8: every message from the client adds one more handler, never removed. */
    static void leakHandlerPerMessage(ChannelPipeline pipeline) {
        pipeline.addLast(new LeakHandlerPerMessage());
    }

    private static final class ForgetToTellTracker extends ChannelOutboundHandlerAdapter {
        @Override
        public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
            ChannelPipeline pipeline = ctx.pipeline();
            if (pipeline.get(LifecycleTrackingHandler.class) != null) {
                pipeline.remove(LifecycleTrackingHandler.class);
            }
            super.close(ctx, promise);
        }
    }

    private static final class LeakHandlerPerMessage extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            ctx.pipeline().addLast(new LeakedHandler());
            super.channelRead(ctx, msg);
        }
    }

    /** What the leaking host adds per message; the monitor counts it by this class's name. */
    static final class LeakedHandler extends ChannelInboundHandlerAdapter {
    }
}
