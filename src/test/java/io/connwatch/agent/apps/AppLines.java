package io.connwatch.agent.apps;

/**
 * What the applications of this package print on their output, as regular expressions for a test's
 * {@code awaitLine}/{@code awaitMatch} (whole-line matches). Kept in one place so that the tests that drive the
 * applications and the applications themselves cannot drift apart.
 */
public final class AppLines {
    /** A server is ready, printed once when it accepts connections; group 1 is its port. */
    public static final String LISTENING = "listening on 127\\.0\\.0\\.1:(\\d+)";
    /** The last line of an application that was told to stop ({@code stop} on its input, SIGTERM or SIGINT). */
    public static final String STOPPED = "stopped";
    /**
     * {@link HangingBackend}: a connection ({@code hang}) or a request ({@code http-hang-path}) it will never answer,
     * printed once it has read it. Examples: {@code hung connection from 127.0.0.1:40312 after 27 bytes},
     * {@code hung GET /hang/1 from 127.0.0.1:40312}.
     */
    public static final String HUNG = "hung .*";
    /**
     * {@link HangingBackend}'s answer to {@code count} on its input: connections open now, accepted so far, answers
     * sent (HTTP responses, or echoed reads), connections or requests left hanging.
     */
    public static final String COUNTS = "counts open=(\\d+) accepted=(\\d+) answered=(\\d+) hung=(\\d+)";
    /** {@link KeepAliveLoad}'s result: group 1 the requests answered with a 2xx status, group 2 the others. */
    public static final String DONE = "done ok=(\\d+) failed=(\\d+)";
    /** {@link KeepAliveLoad} {@code --hold}: the connections it keeps open until told to stop; group 1 their number. */
    public static final String HOLDING = "holding (\\d+) connections";

    private AppLines() {
    }
}
