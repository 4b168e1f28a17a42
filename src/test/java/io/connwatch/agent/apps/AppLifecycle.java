package io.connwatch.agent.apps;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * How every application here starts and ends: one clear line and exit 2 for bad arguments; running until
 * {@code stop} on its input, SIGTERM or SIGINT, then exit 0 (as a service manager expects of a clean stop).
 * The end of its input is not a stop: a server started in the background by a script reads an empty input.
 */
final class AppLifecycle {
    private AppLifecycle() {
    }

    /** Prints {@code line} on the error output and exits 2. */
    static RuntimeException refuse(String line) {
        System.err.println(line);
        System.out.flush();
        System.exit(2);
        return new IllegalStateException(line); // not reached
    }

    /** {@link Integer#parseInt} of a port or a count, or a refusal that names the argument. */
    static int number(String what, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw refuse(what + " must be a whole number from " + min + " to " + max + ", not '" + value + "'");
    }

    /**
     * Blocks until {@code stop} on the input, SIGTERM or SIGINT. Any other line on the input goes to
     * {@code commands} (on the thread that reads the input).
     */
    static void awaitStop(Consumer<String> commands) throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        try {
            for (String name : new String[] {"TERM", "INT"}) {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> stop.countDown());
            }
        } catch (LinkageError | IllegalArgumentException unsupported) {
            // No signal handling on this JVM: SIGTERM ends it the JVM's way (exit 143), the input still works.
        }
        Thread input = new Thread(() -> {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            try {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    line = line.trim();
                    if (line.equals("stop")) {
                        stop.countDown();
                        return;
                    }
                    if (!line.isEmpty()) {
                        commands.accept(line);
                    }
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("input: " + e);
            }
        }, "app-input");
        input.setDaemon(true);
        input.start();
        stop.await();
    }

    /** For applications with no commands besides {@code stop}. */
    static void unknownCommand(String line) {
        System.out.println("unknown command '" + line + "': the only command is stop");
    }

    /** Prints {@link AppLines#STOPPED} and ends the JVM with 0, whatever threads the frameworks left running. */
    static void exitStopped() {
        System.out.println("stopped");
        System.exit(0);
    }
}
