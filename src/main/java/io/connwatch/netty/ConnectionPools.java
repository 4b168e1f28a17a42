package io.connwatch.netty;

import io.netty.channel.pool.ChannelPool;

/**
 * Tells a channel a connection pool opens from one a handler opens for its own client: a pooled channel serves many
 * clients in turn, so it is no one client's backend even when the pool happens to connect while a client's request
 * is being handled. Asked only when a channel is created during an incoming event; it walks the creating stack.
 */
final class ConnectionPools {
    // Built from the class, not written out: this class is renamed into each copy of Netty it taps.
    private static final String NETTY_POOLS = ChannelPool.class.getPackageName() + ".";
    // The pools of the servers the agent is for: Reactor Netty (Spring Cloud Gateway), Zuul 2, Vert.x, Armeria.
    private static final String[] POOLS = {
        NETTY_POOLS,
        "reactor.netty.resources.PooledConnectionProvider",
        "reactor.netty.resources.DefaultPooledConnectionProvider",
        "reactor.netty.http.client.Http2Pool",
        "reactor.pool.",
        "com.netflix.zuul.netty.connectionpool.",
        "io.vertx.core.net.impl.pool.",
        "com.linecorp.armeria.client.HttpChannelPool",
    };

    private ConnectionPools() {
    }

    /** Whether a connection pool is on this thread's stack. */
    static boolean onStack() {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(f -> isPool(f.getClassName())));
    }

    static boolean isPool(String className) {
        for (String pool : POOLS) {
            if (className.startsWith(pool)) {
                return true;
            }
        }
        return false;
    }
}
