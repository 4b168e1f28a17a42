package io.connwatch.analysis;

import io.connwatch.tracking.ConnectionRole;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TrackedConnection;

/**
 * Applies the pattern rules to one connection. Allocation-free: probes land in ints and the result is
 * a pattern set ({@link Pattern#bit()}).
 */
public final class Classifier {
    private final long stuckAfter;
    private final long stuckAfterTls;
    private final long halfZombieGrace;
    private final long halfZombieGraceTls;
    private final long connectTimeout;
    private final long idleAfter;
    private final long oldAfter;
    private final long slowAfter;
    private final int listenerLeakThreshold;

    /** A classifier for these rules. */
    public Classifier(PatternRules rules) {
        this.stuckAfter = rules.stuckAfter().toNanos();
        this.stuckAfterTls = rules.stuckAfterTls().toNanos();
        this.halfZombieGrace = rules.halfZombieGrace().toNanos();
        this.halfZombieGraceTls = rules.halfZombieGraceTls().toNanos();
        this.connectTimeout = rules.connectTimeout().toNanos();
        this.idleAfter = rules.idleAfter().toNanos();
        this.oldAfter = rules.oldAfter().toNanos();
        this.slowAfter = rules.slowAfter().toNanos();
        this.listenerLeakThreshold = rules.listenerLeakThreshold();
    }

    /**
     * The patterns a connection shows at {@code now}. {@code in} and {@code out} are its endpoints' probed states
     * ({@link EndpointState#probe}); {@code factor} scales every time threshold (1 for reporting, the jitter
     * factor for cleanup).
     */
    public int classify(TrackedConnection c, int in, int out, long now, double factor) {
        if (c.connectionClosed()) {
            return 0;
        }
        long age = now - c.incomingStartNanos();
        long idle = now - c.lastActivityNanos();
        boolean tls = c.isTLS();
        int bits = 0;

        // A backend socket still connecting is no outgoing connection yet: a hung connect is NO_OUTGOING.
        boolean outExists = EndpointState.exists(out) && !EndpointState.connecting(out);
        // A record whose client socket is gone and that has no live backend connection is a zombie: nothing can
        // close it any more but the sweep.
        if (EndpointState.destroyed(in) && (!outExists || EndpointState.destroyed(out))) {
            return Pattern.ZOMBIE.bit() | listenerBits(c);
        }

        ConnectionRole role = c.role();
        if (outExists) {
            boolean oneFinished = EndpointState.finished(in) && EndpointState.alive(out)
                    || EndpointState.finished(out) && EndpointState.alive(in);
            if (oneFinished && idle > scaled(tls ? halfZombieGraceTls : halfZombieGrace, factor)) {
                bits |= Pattern.HALF_ZOMBIE.bit();
            }
            if (c.bytesReceived() > 0 && c.bytesSent() == 0 && EndpointState.alive(in) && EndpointState.alive(out)
                    && age > scaled(tls ? stuckAfterTls : stuckAfter, factor)) {
                bits |= Pattern.STUCK.bit();
            }
        } else if (role == ConnectionRole.RELAYED || EndpointState.exists(out)
                || role == ConnectionRole.UPSTREAM && EndpointState.connecting(in)) {
            // A relayed connection needs its backend; so does a served one once it asked for one, and a pooled
            // connection is its own backend connection. A served one may ask late (on its first request): its
            // connect gets the whole timeout from then.
            long waited = role == ConnectionRole.SERVED ? now - c.outgoingStartNanos() : age;
            if (waited > scaled(connectTimeout, factor)) {
                bits |= Pattern.NO_OUTGOING.bit();
            }
        } else {
            bits |= judgedAlone(c, role, in, idle, tls, factor);
        }

        long slow = scaled(slowAfter, factor);
        if (idle > scaled(idleAfter, factor)) {
            bits |= Pattern.IDLE.bit();
        } else if (role != ConnectionRole.UPSTREAM && c.inResponse() && now - c.responseStartNanos() > slow
                && idle <= slow) {
            // Still transferring: a byte within the last slowAfter. A response that ended (or stalled) longer ago
            // than that is no slow backend, even while the connection is not idle yet (idleAfter > slowAfter).
            bits |= Pattern.SLOW_BACKEND.bit();
        }
        if (age > scaled(oldAfter, factor)) {
            bits |= Pattern.OLD.bit();
        }
        return bits | listenerBits(c);
    }

    /**
     * A connection with one socket, judged on it alone: a server's client connection with no backend of its own, or
     * a pooled connection to a backend. STUCK is a turn that waits on the far side: a request received and nothing
     * sent back (served), or a request written and nothing read back (upstream). HALF_ZOMBIE is a peer that
     * half-closed while the host keeps the socket open and silent (CLOSE_WAIT).
     */
    private int judgedAlone(TrackedConnection c, ConnectionRole role, int in, long idle, boolean tls, double factor) {
        int bits = 0;
        boolean waiting = role == ConnectionRole.UPSTREAM ? c.inResponse()
                : c.hasReceivedInitialData() && !c.inResponse();
        if (waiting && EndpointState.alive(in) && EndpointState.readable(in)
                && idle > scaled(tls ? stuckAfterTls : stuckAfter, factor)) {
            bits |= Pattern.STUCK.bit();
        }
        if (EndpointState.finished(in) && EndpointState.alive(in)
                && idle > scaled(tls ? halfZombieGraceTls : halfZombieGrace, factor)) {
            bits |= Pattern.HALF_ZOMBIE.bit();
        }
        return bits;
    }

    private int listenerBits(TrackedConnection c) {
        int max = Math.max(c.incoming().maxListenerCount(), c.outgoing().maxListenerCount());
        return max > listenerLeakThreshold ? Pattern.LISTENER_LEAK.bit() : 0;
    }

    /** Probes both endpoints and classifies; may throw whatever an endpoint's probe throws. */
    public int classify(TrackedConnection c, long now, double factor) {
        int in = EndpointState.probe(c.incoming(), c.ended(Side.INCOMING));
        int out = EndpointState.probe(c.outgoing(), c.ended(Side.OUTGOING));
        return classify(c, in, out, now, factor);
    }

    private static long scaled(long nanos, double factor) {
        return factor == 1.0 ? nanos : (long) (nanos * factor);
    }
}
