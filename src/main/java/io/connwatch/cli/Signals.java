package io.connwatch.cli;

import org.slf4j.LoggerFactory;

/**
 * SIGINT and SIGTERM as a request to stop, so the command can close its connections with reason {@code shutdown}
 * and exit 0 (a plain shutdown hook would leave the JVM's 130 or 143). Uses {@code sun.misc.Signal} where present;
 * elsewhere falls back to a shutdown hook.
 */
final class Signals {
    private Signals() {
    }

    static void onTermination(Runnable stop) {
        try {
            for (String name : new String[] {"TERM", "INT"}) {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> stop.run());
            }
        } catch (LinkageError | IllegalArgumentException unsupported) {
            LoggerFactory.getLogger(Signals.class).debug("no signal handling here, using a shutdown hook: {}",
                    unsupported.toString());
            Runtime.getRuntime().addShutdownHook(new Thread(stop, "connwatch-stop"));
        }
    }
}
