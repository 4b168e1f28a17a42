package io.connwatch.bench.soak;

import java.util.List;

/**
 * What one soak connection does, on the client side and (through the first byte of its request) on the backend
 * side, and the termination reasons the proxy may give it. Weights are per 1000 connections.
 */
enum Scenario {
    /** Request, the backend answers and closes. */
    NORMAL('N', 894, Kind.FAST, List.of("normal")),
    /** The backend answers with 1 MiB: the proxy's back-pressure (auto-read off and on) at work. */
    BIG_DOWNLOAD('B', 2, Kind.FAST, List.of("normal")),
    /** The client sends 1 MiB after its request line; the backend reads it all, then answers. */
    BIG_UPLOAD('U', 2, Kind.FAST, List.of("normal")),
    /**
     * The backend sends 1 MiB; the client reads 1 KiB of it and closes. Mostly a reset (data unread), seen by the
     * proxy as econnreset; but when the client's receive queue is empty at that instant its close sends a FIN, the
     * proxy sees both ends finish and hands the rest to the kernel: normal, and the client's kernel resets the rest
     * after the proxy has closed, out of its sight.
     */
    CLIENT_LEAVES_MID_RESPONSE('K', 2, Kind.FAST, List.of("econnreset", "closed_incoming", "normal")),
    /** Three request/echo round trips on one connection, then the client half-closes and the backend closes. */
    ECHO_KEEP_ALIVE('E', 10, Kind.FAST, List.of("normal")),
    /** The backend drips its answer in five chunks, 30 ms apart. */
    DRIP('D', 10, Kind.FAST, List.of("normal")),
    /** The backend reads the request and resets (SO_LINGER 0). */
    BACKEND_RESET('R', 10, Kind.FAST, List.of("econnreset", "closed_outgoing")),
    /** The backend reads the request and closes without a word. */
    BACKEND_CLOSE('C', 10, Kind.FAST, List.of("normal")),
    /** The backend answers, half-closes, and waits for the client's end before closing. */
    BACKEND_HALF_CLOSE('H', 5, Kind.FAST, List.of("normal")),
    /** The client sends a request and leaves at once with a reset (SO_LINGER 0). */
    CLIENT_RESET('X', 10, Kind.FAST, List.of("econnreset", "closed_incoming")),
    /** The client sends a request, half-closes, and reads the whole answer: not a half-zombie. */
    CLIENT_HALF_CLOSE('Q', 10, Kind.FAST, List.of("normal")),
    /** The client sends half a request (no end of line) and closes. */
    CLIENT_LEAVES_MID_REQUEST('M', 10, Kind.FAST, List.of("normal", "closed_incoming")),
    /** The backend reads the request and never answers: STUCK, closed by the sweep. */
    BACKEND_HANGS('S', 5, Kind.SLOW, List.of("stuck_no_response")),
    /** The client half-closes after its request, the backend stays open and silent: HALF_ZOMBIE. */
    HALF_ZOMBIE('Z', 5, Kind.SLOW, List.of("half_zombie_cleanup")),
    /** The client connects and sends nothing: idle, closed at the inactivity timeout. */
    CLIENT_IDLE('I', 5, Kind.SLOW, List.of("inactivity")),
    /** The backend port refuses (its listener is closed): econnrefused. */
    REFUSED('F', 5, Kind.REFUSE_PHASE, List.of("econnrefused")),
    /** The backend's listener never accepts and its backlog is full: the proxy's connect times out. */
    CONNECT_TIMEOUT('T', 3, Kind.TIMEOUT_PHASE, List.of("connect_timeout")),
    /** The client leaves while the proxy's backend connect is still pending. */
    LEAVES_DURING_CONNECT('L', 2, Kind.TIMEOUT_PHASE, List.of("closed_incoming"));

    /** Where a scenario runs: in the mixed traffic (fast or slow pool), or in a backend fault phase. */
    enum Kind { FAST, SLOW, REFUSE_PHASE, TIMEOUT_PHASE }

    final char code;
    final int weight;
    final Kind kind;
    final List<String> reasons;

    Scenario(char code, int weight, Kind kind, List<String> reasons) {
        this.code = code;
        this.weight = weight;
        this.kind = kind;
        this.reasons = reasons;
    }

    static Scenario of(char code) {
        for (Scenario s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return null;
    }
}
