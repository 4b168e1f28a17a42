package io.connwatch.cli;

import io.connwatch.ConnectionMonitor;
import io.connwatch.MonitorSettings;
import io.connwatch.jmx.JmxRegistration;
import io.connwatch.jmx.JmxRemote;
import io.connwatch.jmx.JmxTls;
import io.connwatch.metrics.PrometheusEndpoint;
import io.connwatch.netty.EventLoopLagProbe;
import io.connwatch.proxy.ConnwatchProxy;
import io.connwatch.tracking.ConnectionTracker;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code proxy}: the monitored reference proxy. Runs until SIGINT or SIGTERM, then closes every connection with
 * reason {@code shutdown} and exits 0.
 */
@Command(name = "proxy", mixinStandardHelpOptions = true,
        description = "Runs the monitored reference TCP proxy until SIGINT or SIGTERM.")
final class ProxyCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", converter = HostPort.class, description = "HOST:PORT to listen on.")
    InetSocketAddress listen;

    @Option(names = "--target", required = true, paramLabel = "HOST:PORT", converter = HostPort.class, description = "HOST:PORT to relay to.")
    InetSocketAddress target;

    @Option(names = "--name", defaultValue = "proxy", paramLabel = "NAME",
            description = "The monitor's name, 1 to 200 printable characters (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--threshold", defaultValue = "50", description = "Accumulation threshold (default: ${DEFAULT-VALUE}).")
    long threshold;

    @Option(names = "--spike", defaultValue = "20", description = "Spike threshold (default: ${DEFAULT-VALUE}).")
    long spike;

    @Option(names = "--interval", defaultValue = "5s", converter = DurationConverter.class,
            description = "Check interval (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--stuck-after", defaultValue = "60s", converter = DurationConverter.class,
            description = "STUCK after (default: ${DEFAULT-VALUE}).")
    Duration stuckAfter;

    @Option(names = "--half-zombie-grace", defaultValue = "30s", converter = DurationConverter.class,
            description = "HALF_ZOMBIE grace (default: ${DEFAULT-VALUE}).")
    Duration halfZombieGrace;

    @Option(names = "--connect-timeout", defaultValue = "30s", converter = DurationConverter.class,
            description = "Backend connect timeout, also NO_OUTGOING's (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(names = "--idle-timeout", defaultValue = "4h", converter = DurationConverter.class,
            description = "Cleanup closes connections idle this long, x6 with keep-alive (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--dump-dir", paramLabel = "DIR", description = "Folder for dumps when no JFR recording has a file (default: -Dconnwatch.dump.dir or ./connection-diagnostics).")
    Path dumpDir;

    @Option(names = "--max-dumps", defaultValue = "100", paramLabel = "N",
            description = "Dumps kept in the dump folder; the oldest are deleted after each capture (default: ${DEFAULT-VALUE}).")
    int maxDumps;

    @Option(names = "--max-dump-bytes", defaultValue = "1g", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Bytes of dumps kept in the dump folder, at least 1m: bytes, or like 512m, 1g (default: ${DEFAULT-VALUE}).")
    long maxDumpBytes;

    @Option(names = "--mask-addresses",
            description = "Mask client addresses in dumps and JFR events (203.0.113.x, 2001:db8:0:0:x).")
    boolean maskAddresses;

    @Option(names = "--no-monitor", description = "Relay without connwatch: no tracking, no monitor, no MBean.")
    boolean noMonitor;

    @Option(names = "--no-cleanup", description = "Report-only: find broken connections but close none.")
    boolean noCleanup;

    @Option(names = "--jmx-port", paramLabel = "PORT",
            description = "Start a JMX connector on this port, 1 to 65535 (loopback, or the --listen host with a password file).")
    Integer jmxPort;

    @Option(names = "--jmx-password-file", paramLabel = "FILE", description = "JMX password file (enables authentication), open to its owner only (chmod 600).")
    Path jmxPasswordFile;

    @Option(names = "--jmx-access-file", paramLabel = "FILE", description = "JMX access file (readonly / readwrite roles).")
    Path jmxAccessFile;

    @Option(names = "--jmx-tls", description = "Serve JMX over TLS only, with --jmx-keystore, or else the key store of"
            + " -Djavax.net.ssl.keyStore and -Djavax.net.ssl.keyStorePassword as the JDK's agent does.")
    boolean jmxTls;

    @Option(names = "--jmx-keystore", paramLabel = "FILE",
            description = "Key store (PKCS12 or JKS) with the JMX connector's private key; implies --jmx-tls.")
    Path jmxKeyStore;

    @Option(names = "--jmx-keystore-password-file", paramLabel = "FILE",
            description = "File whose first line is the --jmx-keystore password, open to its owner only (chmod 600).")
    Path jmxKeyStorePasswordFile;

    @Option(names = "--metrics-port", paramLabel = "[HOST:]PORT",
            description = "Serve /metrics in Prometheus' text format on this port, 1 to 65535 (loopback unless HOST is given).")
    String metricsPort;

    /** Where to serve metrics, from --metrics-port, checked by {@link #validate()}; null: no metrics. */
    private InetSocketAddress metricsAddress;

    /** The key store, loaded and checked by {@link #validate()}; null: plain JMX. */
    private JmxTls tls;

    @Override
    public Integer call() throws Exception {
        validate();
        MonitorSettings settings = settings();
        PrintWriter out = spec.commandLine().getOut();
        ConnectionTracker tracker = new ConnectionTracker(name);
        ConnwatchProxy proxy = ConnwatchProxy.builder().listen(listen).target(target).connectTimeout(connectTimeout)
                .tracker(tracker).tracking(!noMonitor).build();
        ConnectionMonitor monitor = null;
        EventLoopLagProbe lag = null;
        JmxRemote remote = null;
        PrometheusEndpoint metrics = null;
        CountDownLatch stop = new CountDownLatch(1);
        try {
            try {
                proxy.start();
            } catch (Exception e) { // Netty rethrows the bind's IOException undeclared
                if (!(e instanceof IOException)) {
                    throw e;
                }
                spec.commandLine().getErr().println("connwatch: cannot listen on " + listen.getHostString() + ":"
                        + listen.getPort() + ": " + Main.oneLine(e.getMessage() == null ? e.toString() : e.getMessage()));
                return Main.FAILED;
            }
            if (!noMonitor) {
                monitor = new ConnectionMonitor(tracker, settings).start();
                JmxRegistration.register(monitor, ManagementFactory.getPlatformMBeanServer());
                lag = EventLoopLagProbe.attach(monitor, "proxy-workers", proxy.workerGroup());
            }
            if (jmxPort != null) {
                InetAddress bind = jmxPasswordFile != null ? listen.getAddress() : InetAddress.getLoopbackAddress();
                remote = JmxRemote.builder(ManagementFactory.getPlatformMBeanServer()).address(bind).port(jmxPort)
                        .passwordFile(jmxPasswordFile).accessFile(jmxAccessFile).tls(tls).start();
            }
            if (metricsAddress != null) {
                List<ConnectionMonitor> monitors = new ArrayList<>();
                if (monitor != null) {
                    monitors.add(monitor);
                }
                try {
                    metrics = PrometheusEndpoint.start(metricsAddress, monitors);
                } catch (IOException e) {
                    spec.commandLine().getErr().println("connwatch: cannot serve metrics on "
                            + metricsAddress.getAddress().getHostAddress() + ":" + metricsAddress.getPort() + ": "
                            + Main.oneLine(e.getMessage() == null ? e.toString() : e.getMessage()));
                    return Main.FAILED;
                }
            }
            Signals.onTermination(stop::countDown);
            out.printf("listening on %s:%d, relaying to %s:%d%s%n", proxy.address().getHostString(),
                    proxy.address().getPort(), target.getHostString(), target.getPort(),
                    proxy.isNative() ? " (epoll)" : " (nio)");
            out.printf(noMonitor ? "monitor off%n" : "monitor '%s': MBean %s%n", name, JmxRegistration.objectName(name));
            if (remote != null) {
                out.printf("jmx: %s%s%n", remote.url(), remote.isTls() ? " (TLS only)" : "");
            }
            if (metrics != null) {
                out.printf("metrics: %s%n", metrics.url());
            }
            out.flush();
            stop.await();
            out.println("shutting down: closing connections with reason 'shutdown'");
            out.flush();
        } finally {
            proxy.close();
            if (lag != null) {
                lag.close();
            }
            if (monitor != null) {
                monitor.close();
            }
            if (remote != null) {
                remote.close();
            }
            if (metrics != null) {
                metrics.close();
            }
        }
        return Main.OK;
    }

    /** Every option checked before anything starts: a bad one is one line on stderr, exit 2, nothing bound or created. */
    private void validate() {
        OptionChecks check = new OptionChecks(spec);
        if (target.getPort() == 0) {
            throw check.bad("--target", "has port 0: give the backend's port, 1 to 65535");
        }
        check.name("--name", name);
        check.atLeastOne("--threshold", threshold);
        check.atLeastOne("--spike", spike);
        check.atLeast("--interval", interval, MonitorSettings.MIN_INTERVAL, "100ms");
        check.positive("--stuck-after", stuckAfter);
        check.positive("--half-zombie-grace", halfZombieGrace);
        check.positive("--connect-timeout", connectTimeout);
        check.positive("--idle-timeout", idleTimeout);
        check.atLeastOne("--max-dumps", maxDumps);
        if (maxDumpBytes < MonitorSettings.MIN_DUMP_BYTES) {
            throw check.bad("--max-dump-bytes", "is too small: at least 1m (1048576 bytes)");
        }
        check.folder("--dump-dir", dumpDir);
        if (jmxPort != null) {
            check.port("--jmx-port", jmxPort);
        }
        if (jmxPasswordFile != null) {
            if (jmxPort == null) {
                throw check.bad("--jmx-password-file", "is only used with --jmx-port");
            }
            check.ownerOnlyFile("--jmx-password-file", jmxPasswordFile);
        }
        if (jmxAccessFile != null) {
            if (jmxPasswordFile == null) {
                throw check.bad("--jmx-access-file", "needs --jmx-password-file: roles need users");
            }
            check.readableFile("--jmx-access-file", jmxAccessFile);
        }
        validateTls(check);
        if (metricsPort != null) {
            metricsAddress = metricsAddress(check);
        }
    }

    /** {@code --metrics-port}: PORT on loopback, or HOST:PORT ({@code [v6]:PORT}); the host must resolve now. */
    private InetSocketAddress metricsAddress(OptionChecks check) {
        String v = metricsPort.strip();
        InetSocketAddress address;
        if (v.matches("\\d{1,9}")) {
            int port = Integer.parseInt(v);
            check.port("--metrics-port", port);
            address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        } else if (v.indexOf(':') < 0) {
            throw check.bad("--metrics-port", "is not PORT or HOST:PORT");
        } else {
            try {
                address = HostPort.parse(v);
            } catch (CommandLine.TypeConversionException e) {
                throw check.refused("--metrics-port", e.getMessage());
            }
        }
        check.port("--metrics-port", address.getPort());
        return address;
    }

    /** The TLS options: the key store is loaded now, so that one that cannot serve stops the command here. */
    private void validateTls(OptionChecks check) {
        if (jmxTls && jmxPort == null) {
            throw check.refused("--jmx-tls", "is only used with --jmx-port");
        }
        if (jmxKeyStore != null) {
            if (jmxPort == null) {
                throw check.bad("--jmx-keystore", "is only used with --jmx-port");
            }
            check.readableFile("--jmx-keystore", jmxKeyStore);
            if (jmxKeyStorePasswordFile == null) {
                throw check.bad("--jmx-keystore", "needs --jmx-keystore-password-file: a file whose first line is"
                        + " the key store's password, open to its owner only");
            }
        }
        if (jmxKeyStorePasswordFile != null) {
            if (jmxKeyStore == null) {
                throw check.bad("--jmx-keystore-password-file", "is only used with --jmx-keystore");
            }
            check.ownerOnlyFile("--jmx-keystore-password-file", jmxKeyStorePasswordFile);
        }
        try {
            if (jmxKeyStore != null) {
                tls = JmxTls.keyStore(jmxKeyStore, jmxKeyStorePasswordFile);
            } else if (jmxTls) {
                if (System.getProperty("javax.net.ssl.keyStore") == null) {
                    throw check.refused("--jmx-tls", "no key store: give --jmx-keystore FILE and"
                            + " --jmx-keystore-password-file FILE, or run java with -Djavax.net.ssl.keyStore=FILE and"
                            + " -Djavax.net.ssl.keyStorePassword=PASSWORD");
                }
                tls = JmxTls.fromSystemProperties();
            }
        } catch (IllegalArgumentException e) {
            throw check.refused(jmxKeyStore != null ? "--jmx-keystore" : "--jmx-tls", e.getMessage());
        }
    }

    MonitorSettings settings() {
        try {
            return MonitorSettings.builder()
                    .accumulationThreshold(threshold)
                    .spikeThreshold(spike)
                    .checkInterval(interval)
                    .stuckAfter(stuckAfter)
                    .halfZombieGrace(halfZombieGrace)
                    .connectTimeout(connectTimeout)
                    .inactivityTimeout(idleTimeout)
                    .outputDirectory(dumpDir)
                    .cleanupEnabled(!noCleanup)
                    .maxDumpFiles(maxDumps)
                    .maxDumpBytes(maxDumpBytes)
                    .maskAddresses(maskAddresses)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
