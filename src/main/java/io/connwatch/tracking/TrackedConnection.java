package io.connwatch.tracking;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * One client connection and, once routed, its backend connection.
 *
 * <p><b>Hot path.</b> {@link #addBytesReceived(long)}, {@link #addBytesSent(long)} and {@link #touch()} are called
 * on every read and write. They take no lock, allocate nothing and read no clock: the activity time is the
 * tracker's coarse clock, which the monitor advances every few milliseconds. Each byte counter has one writer at
 * a time: call {@code addBytesReceived} from whatever serialises reads of the client socket and
 * {@code addBytesSent} from whatever serialises writes to it (an event loop, or the one thread per direction of
 * a blocking relay). Readers on other threads see recent, never torn, values. The activity stamp and the
 * response-turn flag are written from both directions; a lost race there costs a few milliseconds of stamp, never
 * a count.
 *
 * <p><b>Closing.</b> {@link #close(Side, TerminationReason)} records the end once; the first reason wins and is
 * counted in the tracker's termination stats. It does not close sockets: the host does, or the cleanup sweep.
 */
public final class TrackedConnection {
    private static final VarHandle BYTES_RECEIVED;
    private static final VarHandle BYTES_SENT;
    private static final VarHandle LAST_ACTIVITY;
    private static final VarHandle REASON;
    private static final VarHandle OUTGOING;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            BYTES_RECEIVED = l.findVarHandle(TrackedConnection.class, "bytesReceived", long.class);
            BYTES_SENT = l.findVarHandle(TrackedConnection.class, "bytesSent", long.class);
            LAST_ACTIVITY = l.findVarHandle(TrackedConnection.class, "lastActivityNanos", long.class);
            REASON = l.findVarHandle(TrackedConnection.class, "reason", TerminationReason.class);
            OUTGOING = l.findVarHandle(TrackedConnection.class, "outgoing", Endpoint.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ConnectionTracker tracker;
    private final long serial;
    private final String remoteAddress;
    private final int remotePort;
    private final int localPort;
    private final Endpoint incoming;
    private final long incomingStartNanos;
    private final ConnectionRole role;

    private volatile Endpoint outgoing = Endpoint.ABSENT;
    private volatile long outgoingStartNanos;
    private volatile Target target;

    // Hot-path fields: written with release stores (plain moves on x86), read with acquire/opaque loads.
    private long bytesReceived;
    private long bytesSent;
    private long lastActivityNanos;
    // Start of the current response turn: set when the first byte goes back after bytes came in.
    private long responseStartNanos;
    private boolean inResponse;
    private boolean initialData;

    private volatile boolean keepAlive;
    private volatile boolean tls;
    private volatile boolean incomingEnded;
    private volatile boolean outgoingEnded;

    private volatile TerminationReason reason;
    private volatile Side closedBy;
    private volatile long closedNanos;

    // Owned by the monitor's thread: the pattern bits of the latest check.
    private int patternBits;
    // The tracker's slot for this connection: set once by ConnectionSlots before the connection is published.
    int slot;

    TrackedConnection(ConnectionTracker tracker, long serial, Endpoint incoming, String remoteAddress,
                      int remotePort, int localPort, long nowNanos, ConnectionRole role) {
        this.tracker = tracker;
        this.role = Objects.requireNonNull(role, "role");
        this.serial = serial;
        this.incoming = Objects.requireNonNull(incoming, "incoming endpoint");
        this.remoteAddress = remoteAddress == null ? "" : remoteAddress;
        this.remotePort = remotePort;
        this.localPort = localPort;
        this.incomingStartNanos = nowNanos;
        this.lastActivityNanos = nowNanos;
    }

    // ---- hot path ----

    /** Counts bytes read from the client and marks activity. No lock, no allocation. */
    public void addBytesReceived(long n) {
        long now = tracker.coarseNanos();
        BYTES_RECEIVED.setRelease(this, (long) BYTES_RECEIVED.getOpaque(this) + n);
        stamp(now);
        if (inResponse) {
            inResponse = false;
        }
        if (!initialData) {
            initialData = true;
        }
    }

    /** Counts bytes written to the client and marks activity. No lock, no allocation. */
    public void addBytesSent(long n) {
        long now = tracker.coarseNanos();
        BYTES_SENT.setRelease(this, (long) BYTES_SENT.getOpaque(this) + n);
        stamp(now);
        if (!inResponse) {
            responseStartNanos = now;
            inResponse = true;
        }
    }

    /** Marks activity without bytes (a write to the backend, a keep-alive probe). No lock, no allocation. */
    public void touch() {
        stamp(tracker.coarseNanos());
    }

    // The coarse clock moves every 50 ms or more, so most updates find the stamp already current and skip the
    // store: two threads updating one connection then write the shared cache line once per tick, not per update.
    private void stamp(long now) {
        if ((long) LAST_ACTIVITY.getOpaque(this) != now) {
            LAST_ACTIVITY.setRelease(this, now);
        }
    }

    // ---- lifecycle, called by the host ----

    /** The backend this connection is (or will be) routed to; set before connecting so a hung connect shows it. */
    public TrackedConnection target(String host, int port) {
        this.target = tracker.target(host, port);
        return this;
    }

    /** The backend socket is connected (or connecting): from now on the connection has an outgoing side. */
    public TrackedConnection attachOutgoing(Endpoint endpoint) {
        this.outgoingStartNanos = tracker.ticker().nanoTime();
        this.outgoingEnded = false; // a backend before this one may have half-closed
        this.outgoing = Objects.requireNonNull(endpoint, "outgoing endpoint");
        LAST_ACTIVITY.setRelease(this, outgoingStartNanos);
        return this;
    }

    /**
     * The host closed this backend connection itself, done with it, while the client stays (a server that opens a
     * backend per request): until the next one is attached the connection has no outgoing side, and is judged as a
     * server's own connection is. Does nothing if another backend was attached since.
     */
    public void detachOutgoing(Endpoint endpoint) {
        if (OUTGOING.compareAndSet(this, endpoint, Endpoint.ABSENT)) {
            outgoingEnded = false;
        }
    }

    /**
     * The peer of one side half-closed (a read returned end of stream): that side is no longer readable. The
     * JDK's sockets cannot tell this by themselves.
     */
    public void endOfStream(Side side) {
        if (side == Side.INCOMING) {
            incomingEnded = true;
        } else {
            outgoingEnded = true;
        }
        touch();
    }

    /** The client spoke HTTP with keep-alive: the inactivity timeout is extended. */
    public void keepAlive(boolean keepAlive) {
        this.keepAlive = keepAlive;
    }

    /** The client spoke TLS: the stuck and half-zombie timeouts for TLS apply. */
    public void tls(boolean tls) {
        this.tls = tls;
    }

    /**
     * Records the end of this connection and stops tracking it. Only the first call counts; it returns whether
     * this call was that one. Never throws.
     */
    public boolean close(Side side, TerminationReason reason) {
        Objects.requireNonNull(reason, "reason");
        if (!REASON.compareAndSet(this, null, reason)) {
            return false;
        }
        this.closedBy = side == null ? Side.INCOMING : side;
        this.closedNanos = tracker.ticker().nanoTime();
        tracker.closed(this);
        return true;
    }

    // ---- views, for the monitor ----

    /** The tracker that holds this connection. */
    public ConnectionTracker tracker() {
        return tracker;
    }

    /** A number unique within the tracker, in opening order. */
    public long serial() {
        return serial;
    }

    /** The id used in dumps and events, {@code c-<serial>}. */
    public String id() {
        return "c-" + serial;
    }

    /** What the connection is to the host, which decides how its silence is judged. */
    public ConnectionRole role() {
        return role;
    }

    /** The client's address, as text. */
    public String remoteAddress() {
        return remoteAddress;
    }

    /** The client's port. */
    public int remotePort() {
        return remotePort;
    }

    /** The local port the client connected to. */
    public int localPort() {
        return localPort;
    }

    /** The backend, or null before routing. */
    public Target target() {
        return target;
    }

    /** The client's socket. */
    public Endpoint incoming() {
        return incoming;
    }

    /** The backend's socket, or {@link Endpoint#ABSENT}. */
    public Endpoint outgoing() {
        return outgoing;
    }

    /** {@link Ticker#nanoTime()} when the connection was opened. */
    public long incomingStartNanos() {
        return incomingStartNanos;
    }

    /** {@link Ticker#nanoTime()} when the backend side was attached, or 0. */
    public long outgoingStartNanos() {
        return outgoing.exists() ? outgoingStartNanos : 0L;
    }

    /** {@link Ticker#nanoTime()} of the latest activity (coarse: a few milliseconds). */
    public long lastActivityNanos() {
        return (long) LAST_ACTIVITY.getAcquire(this);
    }

    /** Bytes read from the client. */
    public long bytesReceived() {
        return (long) BYTES_RECEIVED.getAcquire(this);
    }

    /** Bytes written to the client. */
    public long bytesSent() {
        return (long) BYTES_SENT.getAcquire(this);
    }

    /** Whether a response is being sent: bytes went back since the client last sent any. */
    public boolean inResponse() {
        return inResponse;
    }

    /** When the current response started, if {@link #inResponse()}. */
    public long responseStartNanos() {
        return responseStartNanos;
    }

    /** Whether any byte came from the client. */
    public boolean hasReceivedInitialData() {
        return initialData;
    }

    /** Whether the client uses keep-alive. */
    public boolean hasKeepAlive() {
        return keepAlive;
    }

    /** Whether the client uses TLS. */
    public boolean isTLS() {
        return tls;
    }

    /** Whether a side's peer half-closed, as reported by {@link #endOfStream(Side)}. */
    public boolean ended(Side side) {
        return side == Side.INCOMING ? incomingEnded : outgoingEnded;
    }

    /** Whether {@link #close(Side, TerminationReason)} was called. */
    public boolean connectionClosed() {
        return reason != null;
    }

    /** The termination reason, or null while open. */
    public TerminationReason terminationReason() {
        return reason;
    }

    /** The side that closed first, or null while open. */
    public Side closedBy() {
        return closedBy;
    }

    /** {@link Ticker#nanoTime()} of the close, or 0 while open. */
    public long closedNanos() {
        return closedNanos;
    }

    /** The pattern bits of the monitor's latest check; only the monitor's thread reads it reliably. */
    public int patternBits() {
        return patternBits;
    }

    /** Set by the monitor's check, through {@link PatternMarks}. */
    void patternBits(int bits) {
        this.patternBits = bits;
    }

    @Override
    public String toString() {
        Target t = target;
        return id() + "[" + remoteAddress + ":" + remotePort + " -> " + (t == null ? "unrouted" : t)
                + (reason == null ? "" : ", " + reason.wireName()) + "]";
    }
}
