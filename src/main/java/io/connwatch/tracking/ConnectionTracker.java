package io.connwatch.tracking;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry of one proxy's or server's live connections, under a name.
 *
 * <p>Thread-safe. Open and close are O(1) and take no lock; iteration for a check is weakly consistent, in
 * roughly the order connections were opened, and never stops the host's threads. The tracker keeps a coarse clock
 * for the hot path's activity stamps: {@link #tick()} advances it, and a running monitor calls it every 50 ms to 1 s
 * (a fiftieth of its rules' shortest deadline); an open also moves it.
 */
public final class ConnectionTracker implements Iterable<TrackedConnection> {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionTracker.class);
    // Interning stops here so a tracker routing to ever-new targets cannot grow without bound.
    private static final int MAX_INTERNED_TARGETS = 10_000;
    private static final long COARSE_REFRESH_NANOS = 1_000_000L;

    private final String name;
    private final Ticker ticker;
    private final ConnectionSlots live = new ConnectionSlots();
    private final ConcurrentHashMap<Target, Target> targets = new ConcurrentHashMap<>();
    private final AtomicLong serials = new AtomicLong();
    private final AtomicLong active = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final LongAdder opened = new LongAdder();
    private final LongAdder closed = new LongAdder();
    private final TerminationStats terminationStats = new TerminationStats();
    private final CopyOnWriteArrayList<TrackerListener> listeners = new CopyOnWriteArrayList<>();
    private final PatternMarks patternMarks = new PatternMarks(this);
    private volatile long coarseNanos;

    /** A tracker on the JVM's clocks. */
    public ConnectionTracker(String name) {
        this(name, Ticker.SYSTEM);
    }

    /** A tracker on the given clocks (tests). */
    public ConnectionTracker(String name, Ticker ticker) {
        this.name = validName(name);
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.coarseNanos = ticker.nanoTime();
    }

    private static String validName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("tracker name must not be blank");
        }
        return name;
    }

    /** The name, also the monitor's by default. */
    public String name() {
        return name;
    }

    /** The writer of the pattern sets a check finds on this tracker's connections: for monitors, not hosts. */
    public PatternMarks patternMarks() {
        return patternMarks;
    }

    /** The clocks. */
    public Ticker ticker() {
        return ticker;
    }

    // ---- open ----

    /** Starts tracking a client connection the host relays to a backend ({@link ConnectionRole#RELAYED}). */
    public TrackedConnection open(Endpoint incoming, String remoteAddress, int remotePort, int localPort) {
        return open(incoming, remoteAddress, remotePort, localPort, ConnectionRole.RELAYED);
    }

    /**
     * Starts tracking a connection in the given role. For {@link ConnectionRole#UPSTREAM}, {@code incoming} is the
     * connection to the backend and the address is the backend's.
     */
    public TrackedConnection open(Endpoint incoming, String remoteAddress, int remotePort, int localPort,
                                  ConnectionRole role) {
        long now = ticker.nanoTime();
        // Keeps the coarse clock going without a monitor, but stores it at most once a millisecond: accept
        // threads opening at once would otherwise fight over its cache line, which every update reads.
        if (now - coarseNanos >= COARSE_REFRESH_NANOS) {
            coarseNanos = now;
        }
        TrackedConnection c = new TrackedConnection(this, serials.incrementAndGet(), incoming, remoteAddress,
                remotePort, localPort, now, role);
        live.add(c);
        opened.increment();
        long n = active.incrementAndGet();
        long p;
        while (n > (p = peak.get()) && !peak.compareAndSet(p, n)) {
            // another thread raised the peak; retry against it
        }
        for (TrackerListener l : listeners) {
            try {
                l.opened(c);
            } catch (RuntimeException e) {
                LOG.warn("[{}] tracker listener {} failed on open: {}", name, l, e.toString());
            }
        }
        return c;
    }

    /** Starts tracking an accepted {@link Socket}. */
    public TrackedConnection open(Socket socket) {
        return open(Endpoints.of(socket), socket.getRemoteSocketAddress(), socket.getLocalPort());
    }

    /** Starts tracking an accepted {@link SocketChannel}. */
    public TrackedConnection open(SocketChannel channel) {
        Socket s = channel.socket();
        return open(Endpoints.of(channel), s.getRemoteSocketAddress(), s.getLocalPort());
    }

    /** Starts tracking a client connection given its remote socket address. */
    public TrackedConnection open(Endpoint incoming, SocketAddress remote, int localPort) {
        return open(incoming, remote, localPort, ConnectionRole.RELAYED);
    }

    /** Starts tracking a connection in the given role, given its remote socket address. */
    public TrackedConnection open(Endpoint incoming, SocketAddress remote, int localPort, ConnectionRole role) {
        String address = "";
        int port = 0;
        if (remote instanceof InetSocketAddress) {
            InetSocketAddress isa = (InetSocketAddress) remote;
            InetAddress a = isa.getAddress();
            address = a != null ? a.getHostAddress() : isa.getHostString();
            port = isa.getPort();
        } else if (remote != null) {
            address = remote.toString();
        }
        return open(incoming, address, port, localPort, role);
    }

    // ---- close, called by TrackedConnection once ----

    void closed(TrackedConnection c) {
        if (!live.remove(c)) {
            return;
        }
        closed.increment();
        active.decrementAndGet();
        terminationStats.increment(c.closedBy(), c.terminationReason());
        for (TrackerListener l : listeners) {
            try {
                l.closed(c);
            } catch (RuntimeException e) {
                LOG.warn("[{}] tracker listener {} failed on close: {}", name, l, e.toString());
            }
        }
    }

    // ---- clock ----

    /** Advances the coarse clock to now and returns it. */
    public long tick() {
        long now = ticker.nanoTime();
        coarseNanos = now;
        return now;
    }

    long coarseNanos() {
        return coarseNanos;
    }

    Target target(String host, int port) {
        Target t = new Target(host, port);
        Target known = targets.get(t);
        if (known != null) {
            return known;
        }
        if (targets.size() >= MAX_INTERNED_TARGETS) {
            return t;
        }
        known = targets.putIfAbsent(t, t);
        return known != null ? known : t;
    }

    // ---- views ----

    /** Live connections, weakly consistent: safe while connections open and close. */
    @Override
    public Iterator<TrackedConnection> iterator() {
        return live.iterator();
    }

    /** Connections open now. */
    public long activeConnections() {
        return active.get();
    }

    /** The most connections open at once since creation or {@link #resetPeak()}. */
    public long peakConnections() {
        return peak.get();
    }

    /** Connections opened since creation. */
    public long totalOpened() {
        return opened.sum();
    }

    /** Connections closed since creation. */
    public long totalClosed() {
        return closed.sum();
    }

    /** Closes by side and reason. */
    public TerminationStats terminationStats() {
        return terminationStats;
    }

    // Slots a check walks over (tests).
    int slotsInUse() {
        return live.slotsInUse();
    }

    /** Sets the peak to the current count. */
    public void resetPeak() {
        peak.set(active.get());
    }

    /** Adds a listener told of every open and close. */
    public void addListener(TrackerListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a listener. */
    public void removeListener(TrackerListener listener) {
        listeners.remove(listener);
    }

    @Override
    public String toString() {
        return "ConnectionTracker[" + name + ", active=" + active.get() + "]";
    }
}
