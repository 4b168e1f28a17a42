package io.connwatch.jfr;

import static io.connwatch.testing.TestTimes.ms;

import io.connwatch.ConnectionMonitor;
import io.connwatch.MonitorSettings;
import io.connwatch.demo.TestBackend;
import io.connwatch.demo.TestRelay;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.TerminationReason;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;
import jdk.jfr.FlightRecorder;

/**
 * A child JVM for {@link JcmdRecordingTest}: a monitored plain-socket server the way a user runs one, with no
 * recording of its own, so that {@code jcmd JFR.start} is the only thing that starts JFR.
 *
 * <p>Argument: the monitor's configured dump folder. It starts a hanging and an echoing backend, a
 * {@link TestRelay} in front of each, prints {@code READY hang=<relay port> echo=<relay port>
 * hangBackend=<port> echoBackend=<port> pid=<pid>}, then answers commands read line by line on stdin, one line of
 * answer each:
 * <ul>
 *   <li>{@code capture}: {@code CAPTURED <path>} from {@link ConnectionMonitor#forceCaptureNow()}</li>
 *   <li>{@code status}: {@code STATUS active=.. peak=.. opened=.. closed=.. accumulations=.. spikes=..
 *       captures=.. captureFailures=.. stuckCleaned=.. checks=..} (counters only: it does not run a check)</li>
 *   <li>{@code folder}: {@code FOLDER <where the next dump goes>|repo=<jdk.jfr.repository or none>}</li>
 *   <li>{@code recordings}: {@code RECORDINGS} then {@code id:state:destination} separated by {@code ;}
 *       ({@code none} if JFR is not initialized; never initializes it)</li>
 *   <li>{@code quit}: closes everything, prints {@code BYE} and exits 0</li>
 * </ul>
 * A command that fails answers {@code ERROR <what>}. Logging goes to stderr (slf4j-simple).
 */
public final class MonitoredServerMain {
    private MonitoredServerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: MonitoredServerMain <configured dump folder>");
            System.exit(2);
        }
        Path configured = Path.of(args[0]);
        PrintStream out = System.out;
        ConnectionTracker tracker = new ConnectionTracker("jcmd-edge");
        MonitorSettings settings = MonitorSettings.builder()
                .checkInterval(ms(200))
                .cleanupInterval(ms(200))
                .stuckAfter(ms(1000))
                .accumulationThreshold(5)
                .spikeThreshold(5)
                .captureCooldown(Duration.ZERO)
                .forcedCaptureInterval(Duration.ZERO)
                .jitter(0)
                .outputDirectory(configured)
                .build();
        TestBackend hang = new TestBackend(TestBackend.Behaviour.HANG);
        TestBackend echo = new TestBackend(TestBackend.Behaviour.ECHO);
        TestRelay hangRelay = new TestRelay(tracker, hang.address());
        TestRelay echoRelay = new TestRelay(tracker, echo.address());
        ConnectionMonitor monitor = new ConnectionMonitor(tracker, settings).start();

        out.println("READY hang=" + hangRelay.address().getPort() + " echo=" + echoRelay.address().getPort()
                + " hangBackend=" + hang.address().getPort() + " echoBackend=" + echo.address().getPort()
                + " pid=" + ProcessHandle.current().pid());
        out.flush();

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String command = line.trim();
            try {
                switch (command) {
                    case "capture":
                        out.println("CAPTURED " + monitor.forceCaptureNow().toAbsolutePath());
                        break;
                    case "status":
                        out.println("STATUS active=" + tracker.activeConnections()
                                + " peak=" + tracker.peakConnections()
                                + " opened=" + tracker.totalOpened()
                                + " closed=" + tracker.totalClosed()
                                + " accumulations=" + monitor.accumulationCount()
                                + " spikes=" + monitor.spikeCount()
                                + " captures=" + monitor.captureCount()
                                + " captureFailures=" + monitor.captureFailures()
                                + " stuckCleaned=" + monitor.cleanupCount(TerminationReason.STUCK_NO_RESPONSE)
                                + " checks=" + monitor.checkCount());
                        break;
                    case "folder":
                        out.println("FOLDER " + monitor.currentDumpFolder().toAbsolutePath()
                                + "|repo=" + System.getProperty("jdk.jfr.repository", "none"));
                        break;
                    case "recordings":
                        out.println("RECORDINGS " + (FlightRecorder.isInitialized()
                                ? FlightRecorder.getFlightRecorder().getRecordings().stream()
                                        .map(r -> r.getId() + ":" + r.getState() + ":" + r.getDestination())
                                        .collect(Collectors.joining(";"))
                                : "none"));
                        break;
                    case "quit":
                        monitor.close();
                        hangRelay.close();
                        echoRelay.close();
                        hang.close();
                        echo.close();
                        out.println("BYE");
                        out.flush();
                        System.exit(0);
                        break;
                    case "":
                        break;
                    default:
                        out.println("ERROR unknown command '" + command + "'");
                }
            } catch (RuntimeException e) {
                out.println("ERROR " + e.toString().replace('\n', ' '));
            }
            out.flush();
        }
        // stdin closed: the test went away
        System.exit(3);
    }
}
