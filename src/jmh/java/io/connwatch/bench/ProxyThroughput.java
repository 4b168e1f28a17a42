package io.connwatch.bench;

import io.connwatch.ConnectionMonitor;
import io.connwatch.MonitorSettings;
import io.connwatch.proxy.ConnwatchProxy;
import io.connwatch.tracking.ConnectionTracker;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A quick look at the reference proxy's relay throughput on loopback with connwatch on (tracking handlers and a
 * running monitor) and off (no connwatch in the pipeline), alternating A B A B. Not a JMH benchmark: it measures the
 * whole relay, kernel included.
 *
 * <p>{@code java ... io.connwatch.bench.ProxyThroughput [pairs=5] [seconds=3] [connections=4]}
 */
public final class ProxyThroughput {
    private ProxyThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int connections = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        try (Sink sink = new Sink()) {
            run(sink, false, 1, connections); // warm-up, both ways
            run(sink, true, 1, connections);
            double[] off = new double[pairs];
            double[] on = new double[pairs];
            for (int i = 0; i < pairs; i++) {
                off[i] = run(sink, false, seconds, connections);
                on[i] = run(sink, true, seconds, connections);
                System.out.printf("pair %d: off %.0f MiB/s, on %.0f MiB/s, ratio %.3f%n", i + 1, off[i], on[i],
                        on[i] / off[i]);
            }
            double[] ratios = new double[pairs];
            for (int i = 0; i < pairs; i++) {
                ratios[i] = on[i] / off[i];
            }
            Arrays.sort(ratios);
            System.out.printf("throughput ratio on/off: min %.3f, median %.3f, max %.3f (median off %.0f MiB/s)%n",
                    ratios[0], ratios[pairs / 2], ratios[pairs - 1], median(off));
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** MiB/s relayed to the sink by {@code connections} clients for {@code seconds}. */
    static double run(Sink sink, boolean monitored, int seconds, int connections) throws Exception {
        ConnectionTracker tracker = new ConnectionTracker("throughput");
        ConnectionMonitor monitor = monitored ? new ConnectionMonitor(tracker, MonitorSettings.builder()
                .outputDirectory(Files.createTempDirectory("connwatch-bench")).build()).start() : null;
        try (ConnwatchProxy proxy = ConnwatchProxy.builder().target(sink.address()).tracker(tracker)
                .tracking(monitored).build().start()) {
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> writers = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.address().getPort());
                Thread t = new Thread(() -> {
                    byte[] chunk = new byte[64 * 1024];
                    try (s; OutputStream out = s.getOutputStream()) {
                        while (!stop.get()) {
                            out.write(chunk);
                        }
                    } catch (IOException ignored) {
                        // closed at the end
                    }
                });
                t.start();
                writers.add(t);
            }
            long before = sink.bytes.sum();
            long start = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            long bytes = sink.bytes.sum() - before;
            double elapsed = (System.nanoTime() - start) / 1e9;
            stop.set(true);
            for (Thread t : writers) {
                t.join(5000);
            }
            return bytes / elapsed / (1 << 20);
        } finally {
            if (monitor != null) {
                monitor.close();
            }
        }
    }

    /** A backend that reads and discards, counting bytes. */
    static final class Sink implements AutoCloseable {
        final LongAdder bytes = new LongAdder();
        private final ServerSocket server;

        Sink() throws IOException {
            server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        Thread reader = new Thread(() -> drain(s));
                        reader.setDaemon(true);
                        reader.start();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void drain(Socket s) {
            byte[] buf = new byte[64 * 1024];
            try (s; InputStream in = s.getInputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    bytes.add(n);
                }
            } catch (IOException ignored) {
                // the proxy closed it
            }
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
