package io.connwatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.analysis.CheckResult;
import io.connwatch.analysis.ConnectionCheck;
import io.connwatch.capture.CaptureResult;
import io.connwatch.capture.CaptureTrigger;
import io.connwatch.capture.DumpContent;
import io.connwatch.capture.SystemProbe;
import io.connwatch.tracking.ConnectionTracker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When dumps are taken and where they go, on a hand-set clock and real files: the rules the monitor-level
 * {@code TriggersTest} does not reach (failed and owed dumps, one per check, forced and automatic dumps apart,
 * the folder chosen at each dump, a failure while gathering).
 */
class CaptureSchedulerTest {
    @TempDir
    Path tmp;

    private final FakeTicker ticker = new FakeTicker();
    private final ConnectionTracker tracker = new ConnectionTracker("edge", ticker);
    private final MonitorStats stats = new MonitorStats();
    private final Episodes episodes = new Episodes();
    private final List<CaptureTrigger> started = new CopyOnWriteArrayList<>();
    private final List<CaptureResult> finished = new CopyOnWriteArrayList<>();
    private volatile RuntimeException contentFailure;
    private Path dumps;
    private MonitorSettings settings;
    private CaptureScheduler scheduler;

    @BeforeEach
    void setUp() {
        dumps = tmp.resolve("dumps");
        settings(b -> b);
        for (int i = 0; i < 3; i++) {
            tracker.open(new FakeEndpoint(), "203.0.113." + (i + 1), 40_000 + i, 8443);
        }
        scheduler = new CaptureScheduler("edge", ticker, stats, new CaptureScheduler.Hooks() {
            @Override
            public DumpContent content(CaptureTrigger trigger, Instant at, CheckResult check, MonitorSettings s) {
                if (contentFailure != null) {
                    throw contentFailure;
                }
                return new DumpContent(trigger, at, "edge", ProcessHandle.current().pid(), s.accumulationThreshold(),
                        s.spikeThreshold(), s.checkInterval().toMillis(), check, SystemProbe.sample(0, Map.of()),
                        List.of(), tracker.terminationStats().snapshot(), tracker, s.maxConnectionDetails(), false);
            }

            @Override
            public void starting(CaptureTrigger trigger) {
                started.add(trigger);
            }

            @Override
            public void finished(CaptureResult result) {
                finished.add(result);
            }
        });
    }

    private void settings(UnaryOperator<MonitorSettings.Builder> tune) {
        settings = tune.apply(MonitorSettings.builder().accumulationThreshold(5).spikeThreshold(4)
                .captureCooldown(Duration.ofSeconds(60)).outputDirectory(dumps)).build();
    }

    /** A real check of the tracker, {@code after} the previous one. */
    private CheckResult check(Duration after) {
        ticker.advance(after);
        return ConnectionCheck.run(tracker, settings.rules(), e -> { });
    }

    /** One check as the monitor runs it, its count set by hand: the episode's dump, then a spike's. */
    private CaptureResult atCheck(long count, Duration after) {
        CheckResult r = check(after);
        Episodes.Step step = episodes.next(count, r.nanoTime(), settings.accumulationThreshold(),
                settings.spikeThreshold());
        CaptureResult taken = scheduler.forAccumulation(step, r, settings);
        if (step.spike() != null) {
            CaptureResult spike = scheduler.forSpike(r, settings);
            taken = taken != null ? taken : spike;
        }
        return taken;
    }

    private Path unwritableFolder() throws IOException {
        Path file = Files.writeString(tmp.resolve("file.txt"), "not a folder", StandardCharsets.UTF_8);
        return file.resolve("dumps");
    }

    @Test
    void aFailedEpisodeDumpIsRetriedInTheSameEpisodeOnceTheCooldownHasPassed() throws IOException {
        Path bad = unwritableFolder();
        settings(b -> b.outputDirectory(bad));
        CaptureResult failed = atCheck(6, Duration.ofSeconds(5));
        assertNotNull(failed, "the episode began: its dump was attempted");
        assertFalse(failed.succeeded());
        assertEquals(1, stats.captureFailures());

        settings(b -> b);
        assertNull(atCheck(6, Duration.ofSeconds(30)), "a failed attempt starts the cooldown too");
        CaptureResult retried = atCheck(7, Duration.ofSeconds(30));
        assertNotNull(retried, "60 s after the failed attempt, the same episode gets its dump");
        assertTrue(retried.succeeded());
        assertEquals(CaptureTrigger.ACCUMULATION, retried.trigger());
        assertEquals(dumps, retried.file().getParent());
        assertNull(atCheck(7, Duration.ofMinutes(5)), "and only one");
        assertEquals(1, stats.captures());
    }

    @Test
    void aDumpOwedToAnEpisodeThatEndedIsNotTaken() {
        assertNotNull(atCheck(6, Duration.ofSeconds(5)));
        assertEquals(1, stats.captures());
        atCheck(5, Duration.ofSeconds(5));
        assertNull(atCheck(6, Duration.ofSeconds(5)), "the second episode's dump waits for the cooldown");
        atCheck(5, Duration.ofSeconds(5));
        assertNull(atCheck(5, Duration.ofMinutes(5)), "the episode is over: nothing is owed any more");
        CaptureResult third = atCheck(6, Duration.ofSeconds(5));
        assertNotNull(third, "a new episode is owed its own dump");
        assertTrue(third.succeeded());
        assertEquals(2, stats.captures());
    }

    @Test
    void aSpikeInTheCooldownTakesNoDumpEvenLater() {
        settings(b -> b.accumulationThreshold(1_000));
        atCheck(0, Duration.ZERO);
        assertNotNull(atCheck(4, Duration.ofSeconds(5)), "a spike, the first automatic dump");
        atCheck(4, Duration.ofSeconds(5));
        assertNull(atCheck(8, Duration.ofSeconds(5)), "a spike 10 s later: within the cooldown");
        assertNull(atCheck(8, Duration.ofMinutes(5)), "a spike's dump is skipped, not put off");
        assertEquals(1, stats.captures());
        assertEquals(List.of(CaptureTrigger.SPIKE), finished.stream().map(CaptureResult::trigger).toList());
    }

    @Test
    void atMostOneAutomaticDumpPerCheckEvenWithoutACooldown() {
        settings(b -> b.captureCooldown(Duration.ZERO));
        atCheck(0, Duration.ZERO);
        CaptureResult burst = atCheck(20, Duration.ofSeconds(5));
        assertEquals(CaptureTrigger.ACCUMULATION, burst.trigger(), "the episode's dump, and not a spike's as well");
        assertEquals(1, stats.captures());

        atCheck(2, Duration.ofSeconds(5));
        CaptureResult secondBurst = atCheck(10, Duration.ofSeconds(5));
        assertEquals(CaptureTrigger.ACCUMULATION, secondBurst.trigger(), "a new episode and a spike: one dump");
        assertNull(atCheck(10, Duration.ofSeconds(5)), "the episode has its dump");
        CaptureResult onlySpike = atCheck(14, Duration.ofSeconds(5));
        assertEquals(CaptureTrigger.SPIKE, onlySpike.trigger(), "a spike in an episode already dumped");
        assertEquals(3, stats.captures());
    }

    @Test
    void forcedAndAutomaticDumpsDoNotHoldEachOtherBack() {
        CaptureResult forced = scheduler.forced(settings, () -> check(Duration.ZERO));
        assertTrue(forced.succeeded());
        CaptureResult episode = atCheck(6, Duration.ofMillis(100));
        assertNotNull(episode, "a forced dump starts no automatic cooldown");
        assertTrue(episode.succeeded());

        ticker.advance(Duration.ofSeconds(2));
        CaptureResult forcedAgain = scheduler.forced(settings, () -> check(Duration.ZERO));
        assertNotEquals(episode.file(), forcedAgain.file(), "an automatic dump does not delay a forced one");
        assertEquals(CaptureTrigger.FORCE_CAPTURE, forcedAgain.trigger());
        assertEquals(3, stats.captures());
    }

    @Test
    void aForcedCallWithinTheIntervalGetsTheLatestDumpWithoutClassifyingAgain() {
        CaptureResult first = scheduler.forced(settings, () -> check(Duration.ZERO));
        ticker.advance(Duration.ofMillis(999));
        CaptureResult again = scheduler.forced(settings, () -> {
            throw new AssertionError("no fresh check for a dump not written");
        });
        assertEquals(first, again);
        assertEquals(1, finished.size(), "nothing written, nothing reported");
        ticker.advance(Duration.ofMillis(1));
        assertNotEquals(first.file(), scheduler.forced(settings, () -> check(Duration.ZERO)).file(),
                "1 s after: a new dump");
    }

    @Test
    void theFolderIsChosenAfreshAtEachDump() throws IOException {
        Path preferred = tmp.resolve("next-to-the-recording");
        Supplier<Optional<Path>> failing = () -> {
            throw new IllegalStateException("recording going away");
        };
        Supplier<Optional<Path>> silent = Optional::empty;
        Supplier<Optional<Path>> recording = () -> Optional.of(preferred);
        scheduler.addPreferredFolder(failing);
        scheduler.addPreferredFolder(silent);
        assertEquals(dumps, scheduler.folder(settings), "no preferred folder answers: the configured one");

        scheduler.addPreferredFolder(recording);
        assertEquals(preferred, scheduler.folder(settings));
        Path first = scheduler.forced(settings, () -> check(Duration.ZERO)).file();
        assertEquals(preferred, first.getParent());

        scheduler.removePreferredFolder(recording);
        ticker.advance(Duration.ofSeconds(2));
        Path second = scheduler.forced(settings, () -> check(Duration.ZERO)).file();
        assertEquals(dumps, second.getParent(), "the recording stopped: back to the configured folder");
        assertTrue(Files.isRegularFile(first) && Files.isRegularFile(second));
    }

    @Test
    void aFailureWhileGatheringTheDumpIsReportedAndCountedNotThrown() {
        contentFailure = new IllegalStateException("termination stats unavailable");
        CaptureResult failed = atCheck(6, Duration.ofSeconds(5));
        assertFalse(failed.succeeded());
        assertTrue(failed.error().contains("termination stats unavailable"), failed.error());
        assertEquals(List.of(), started, "nothing was about to be written");
        assertEquals(List.of(failed), finished, "the failure is reported");
        assertEquals(1, stats.captureFailures());
        assertNull(stats.lastCapture());

        contentFailure = null;
        ticker.advance(Duration.ofSeconds(60));
        CaptureResult forced = scheduler.forced(settings, () -> check(Duration.ZERO));
        assertTrue(forced.succeeded());
        assertEquals(forced, stats.lastCapture());
        assertEquals(List.of(CaptureTrigger.FORCE_CAPTURE), started);
    }
}
