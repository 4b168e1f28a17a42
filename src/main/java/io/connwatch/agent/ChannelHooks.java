package io.connwatch.agent;

import io.connwatch.netty.ChannelTap;
import io.connwatch.netty.MessageTap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the code woven into Netty lands: its {@code AbstractChannel} constructors, its pipeline's
 * {@code fireChannelRead} and its pipeline head's {@code write}. It must be public and free of Netty types: that code
 * runs in the application's class loaders, and finds this class through the system class loader, where the agent jar
 * is. It never throws into the application: a failure is logged once and the channel goes
 * untracked.
 */
public final class ChannelHooks {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelHooks.class);

    /** Off until an agent installs its taps; then one tap per copy of Netty, found from the channel's class. */
    private static volatile Taps taps = Taps.OFF;

    private ChannelHooks() {
    }

    /** Called at the end of every {@code AbstractChannel} constructor of an instrumented copy of Netty. */
    public static void created(Object channel, Object parent) {
        Taps t = taps;
        if (t == Taps.OFF) {
            return;
        }
        try {
            t.tapOf(channel.getClass()).created(channel, parent);
        } catch (Throwable e) { // the application's channel must be made whatever happens here
            t.failedOnce(e);
        }
    }

    /**
     * Called first in every {@code DefaultChannelPipeline.fireChannelRead} of an instrumented copy of Netty: a message
     * read from the socket enters the pipeline. {@link #readDone} follows on every way out.
     *
     * @param first the pipeline's first handler: the agent's, told directly, on a channel where nothing was put before
     *     it; else the channel's tap finds it
     */
    public static void reading(Object channel, Object first, Object msg) {
        Taps t = taps;
        if (t == Taps.OFF) {
            return;
        }
        try {
            if (first instanceof MessageTap) {
                ((MessageTap) first).reading(msg);
            } else {
                t.tapOf(channel.getClass()).reading(channel, msg);
            }
        } catch (Throwable e) { // the application's read must go on whatever happens here
            t.failedOnce(e);
        }
    }

    /** Called as every {@code DefaultChannelPipeline.fireChannelRead} returns or throws. */
    public static void readDone(Object channel, Object first) {
        Taps t = taps;
        if (t == Taps.OFF) {
            return;
        }
        try {
            if (first instanceof MessageTap) {
                ((MessageTap) first).readDone();
            } else {
                t.tapOf(channel.getClass()).readDone(channel);
            }
        } catch (Throwable e) {
            t.failedOnce(e);
        }
    }

    /** Called first in the pipeline head's {@code write}: a message leaves the pipeline for the socket. */
    public static void writing(Object channel, Object first, Object msg) {
        Taps t = taps;
        if (t == Taps.OFF) {
            return;
        }
        try {
            if (first instanceof MessageTap) {
                ((MessageTap) first).writing(msg);
            } else {
                t.tapOf(channel.getClass()).writing(channel, msg);
            }
        } catch (Throwable e) { // the application's write must go on whatever happens here
            t.failedOnce(e);
        }
    }

    static void install(Taps installed) {
        taps = installed;
    }

    static void uninstall(Taps installed) {
        if (taps == installed) {
            taps = Taps.OFF;
        }
    }

    /** The taps of one running agent: a tap per channel class, made once per copy of Netty. */
    static class Taps {
        static final Taps OFF = new Taps("off", c -> ChannelTap.NONE);

        private final String monitorName;
        private final ClassValue<ChannelTap> byChannelClass;
        private volatile boolean failed;

        Taps(String monitorName, Function<Class<?>, ChannelTap> tapFor) {
            this.monitorName = monitorName;
            this.byChannelClass = new ClassValue<>() {
                @Override
                protected ChannelTap computeValue(Class<?> type) {
                    return tapFor.apply(type);
                }
            };
        }

        ChannelTap tapOf(Class<?> channelClass) {
            return byChannelClass.get(channelClass);
        }

        void failedOnce(Throwable e) {
            if (!failed) {
                failed = true;
                LOG.warn("[{}] tracking a Netty channel failed, channels that fail the same way go untracked: {}",
                        monitorName, e.toString());
            }
        }
    }
}
