package io.connwatch.bench;

import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TrackedConnection;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Builds a tracker holding {@code n} live connections with a fixed mix of patterns, spread over
 * {@link #TARGETS} backends, on a {@link SettableTicker} left at {@link SettableTicker#ORIGIN_NANOS} ("now").
 *
 * <p>The mix, by {@code i % 20}, with the default rules of {@code MonitorSettings.defaults().rules()}:
 * <pre>
 *  0-9   50 %  healthy: routed, request and response a second ago       (no pattern)
 *  10-11 10 %  STUCK: request 119 s ago, nothing sent back, age 120 s
 *  12     5 %  NO_OUTGOING: routed but never connected, age 60 s
 *  13-14 10 %  IDLE: keep-alive, last activity 15 min ago
 *  15     5 %  HALF_ZOMBIE: client half-closed 70 s ago, backend open and silent
 *  16     5 %  ZOMBIE: both sockets closed, record still tracked
 *  17     5 %  OLD: age 2 h, active 2 s ago
 *  18     5 %  LISTENER_LEAK: 15 listeners on the client socket, otherwise healthy
 *  19     5 %  SLOW_BACKEND: response started 6 min ago, still transferring
 * </pre>
 * About one connection in three is TLS; its longer stuck and half-zombie limits turn some of the STUCK and
 * HALF_ZOMBIE rows into no pattern, as in life.
 */
final class Population {
    static final int TARGETS = 20;
    private static final int CLIENT_ADDRESSES = 4096;

    final SettableTicker ticker = new SettableTicker();
    final ConnectionTracker tracker = new ConnectionTracker("bench", ticker);

    private Population() {
    }

    static Population of(int n, boolean listenerProbeViaMap) {
        Population p = new Population();
        p.fill(n, listenerProbeViaMap);
        return p;
    }

    private static long s(long seconds) {
        return TimeUnit.SECONDS.toNanos(seconds);
    }

    private void at(long nanosBeforeNow) {
        ticker.set(SettableTicker.ORIGIN_NANOS - nanosBeforeNow);
        tracker.tick();
    }

    private void fill(int n, boolean viaMap) {
        String[] targetHosts = new String[TARGETS];
        for (int t = 0; t < TARGETS; t++) {
            targetHosts[t] = "10.0.1." + (10 + t);
        }
        String[] clients = new String[CLIENT_ADDRESSES];
        for (int a = 0; a < CLIENT_ADDRESSES; a++) {
            clients[a] = "203.0." + (a >> 8) + "." + (a & 0xff);
        }
        SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < n; i++) {
            int kind = i % 20;
            // Skewed over targets: a few busy backends, a long tail.
            int t = Math.min(TARGETS - 1, (int) (-Math.log(1 - rnd.nextDouble()) * 5));
            BenchEndpoint in = new BenchEndpoint(viaMap, kind == 18 ? 15 : 1);
            BenchEndpoint out = new BenchEndpoint(viaMap, 1);
            long age;
            switch (kind) {
                case 10: case 11: age = s(120); break;
                case 12: age = s(60); break;
                case 13: case 14: age = s(20 * 60); break;
                case 15: age = s(90); break;
                case 16: age = s(45); break;
                case 17: age = s(2 * 3600); break;
                case 19: age = s(10 * 60); break;
                default: age = s(10); break;
            }
            at(age);
            TrackedConnection c = tracker.open(in, clients[rnd.nextInt(CLIENT_ADDRESSES)],
                    1024 + rnd.nextInt(64_000), 8443);
            c.target(targetHosts[t], 8080 + (t % 3));
            c.tls(rnd.nextInt(3) == 0);
            if (kind == 12) {
                continue; // never connected
            }
            at(age - TimeUnit.MILLISECONDS.toNanos(5));
            c.attachOutgoing(out);
            switch (kind) {
                case 10: case 11:
                    at(s(119));
                    c.addBytesReceived(300);
                    break;
                case 13: case 14:
                    c.keepAlive(true);
                    at(s(15 * 60));
                    c.addBytesReceived(400);
                    c.addBytesSent(1500);
                    break;
                case 15:
                    at(s(80));
                    c.addBytesReceived(400);
                    c.addBytesSent(1500);
                    at(s(70));
                    c.endOfStream(Side.INCOMING);
                    break;
                case 16:
                    at(s(40));
                    c.addBytesReceived(400);
                    c.addBytesSent(1500);
                    in.destroyed = true;
                    out.destroyed = true;
                    break;
                case 17:
                    at(s(2));
                    c.addBytesReceived(400);
                    c.addBytesSent(1500);
                    break;
                case 19:
                    at(s(10 * 60 - 1));
                    c.addBytesReceived(400);
                    at(s(6 * 60));
                    c.addBytesSent(64 * 1024);
                    at(s(3));
                    c.touch();
                    break;
                default:
                    at(s(1));
                    c.addBytesReceived(400);
                    c.addBytesSent(1500);
                    break;
            }
        }
        at(0);
    }
}
