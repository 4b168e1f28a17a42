package io.connwatch.agent;

import net.bytebuddy.asm.Advice;

/**
 * Woven at the end of Netty's {@code AbstractChannel(Channel parent[, ChannelId id])} constructors, which every
 * channel runs whichever bootstrap, acceptor or connector makes it (Reactor Netty uses its own), with its pipeline
 * built and its parent set. Hooking {@code ServerBootstrap} or {@code Bootstrap} would miss those. The code is copied
 * into Netty's class, so it names no Netty type; anything it throws is dropped.
 */
final class ChannelAdvice {
    private ChannelAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@Advice.This Object channel, @Advice.Argument(0) Object parent) {
        ChannelHooks.created(channel, parent);
    }

    /**
     * Woven at the start of {@code DefaultChannelPipeline.fireChannelRead} only after an attach: channels made before
     * the agent came are adopted when they next read. One check per read, which a start with {@code -javaagent}
     * does without.
     */
    static final class Speaking {
        private Speaking() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.FieldValue("channel") Object channel) {
            ChannelHooks.speaking(channel);
        }
    }
}
