package io.connwatch;

import io.connwatch.analysis.CheckResult;
import io.connwatch.capture.CaptureResult;
import io.connwatch.capture.CaptureTrigger;
import io.connwatch.capture.DumpContent;
import io.connwatch.capture.DumpFolders;
import io.connwatch.capture.DumpRetention;
import io.connwatch.capture.DumpWriter;
import io.connwatch.tracking.Ticker;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a monitor writes a dump, where it goes, and how many are kept.
 *
 * <ul>
 *   <li>Automatic dumps (accumulation, spike) are at least {@link MonitorSettings#captureCooldown()} apart, a failed
 *       attempt counting as one, and at most one per check.</li>
 *   <li>An accumulation episode is owed one dump: taken when it begins or, if the cooldown put it off or it failed,
 *       at the first later check of the same episode once the cooldown has passed.</li>
 *   <li>Forced dumps are at least {@link MonitorSettings#forcedCaptureInterval()} apart: a call within it gets the
 *       latest dump written instead, unless none was.</li>
 *   <li>The folder is chosen afresh at each dump: the first preferred folder that answers, else the configured one
 *       ({@link DumpFolders}). After each dump its folder is pruned to {@link MonitorSettings#maxDumpFiles()} and
 *       {@link MonitorSettings#maxDumpBytes()}.</li>
 * </ul>
 *
 * <p>A dump that fails is counted, logged and reported, never thrown. Not thread-safe: owned by the monitor's
 * thread, except the preferred folders, which any thread may add or remove.
 */
final class CaptureScheduler {
    // The monitor's own logger: these lines are the monitor's, whoever writes them.
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionMonitor.class);
    private static final long NEVER = Long.MIN_VALUE;

    /** What the monitor supplies around each dump. Called on the monitor's thread. */
    interface Hooks {
        /** What the dump holds. */
        DumpContent content(CaptureTrigger trigger, Instant at, CheckResult check, MonitorSettings s);

        /** A dump is about to be written. */
        void starting(CaptureTrigger trigger);

        /** A dump was written, or failed. */
        void finished(CaptureResult result);
    }

    private final String name;
    private final Ticker ticker;
    private final MonitorStats stats;
    private final Hooks hooks;
    private final DumpWriter writer = new DumpWriter();
    private final CopyOnWriteArrayList<Supplier<Optional<Path>>> preferredFolders = new CopyOnWriteArrayList<>();

    // Owned by the monitor's thread.
    private long lastAutomaticNanos = NEVER;
    private long lastForcedNanos = NEVER;
    private CheckResult lastAutomaticCheck;
    private boolean episodeOwed;

    CaptureScheduler(String name, Ticker ticker, MonitorStats stats, Hooks hooks) {
        this.name = name;
        this.ticker = ticker;
        this.stats = stats;
        this.hooks = hooks;
    }

    // ---- where ----

    void addPreferredFolder(Supplier<Optional<Path>> folder) {
        preferredFolders.add(Objects.requireNonNull(folder, "folder"));
    }

    void removePreferredFolder(Supplier<Optional<Path>> folder) {
        preferredFolders.remove(folder);
    }

    /** The folder a dump taken now would go to. */
    Path folder(MonitorSettings s) {
        return DumpFolders.resolve(preferredFolders, s.outputDirectory());
    }

    // ---- when ----

    /**
     * The accumulation episode's dump, if this check's step is when to take it: the episode began, or goes on
     * still owed its dump, and the cooldown has passed. Returns the dump taken (written or failed), else null.
     */
    CaptureResult forAccumulation(Episodes.Step step, CheckResult r, MonitorSettings s) {
        if (step.accumulation() == Episodes.Accumulation.BEGAN) {
            episodeOwed = true;
        } else if (step.accumulation() != Episodes.Accumulation.CONTINUES) {
            return null;
        }
        if (!episodeOwed || !cooledDown(r, s)) {
            return null;
        }
        CaptureResult c = automatic(CaptureTrigger.ACCUMULATION, r, s);
        episodeOwed = !c.succeeded();
        return c;
    }

    /** A spike's dump, unless this check already took one or the cooldown has not passed; else null. */
    CaptureResult forSpike(CheckResult r, MonitorSettings s) {
        if (r == lastAutomaticCheck || !cooledDown(r, s)) {
            return null;
        }
        return automatic(CaptureTrigger.SPIKE, r, s);
    }

    /**
     * A forced dump, or the latest dump written if the last forced one was within the forced interval.
     * {@code classify} gives the dump's check, only when one is written.
     */
    CaptureResult forced(MonitorSettings s, Supplier<CheckResult> classify) {
        long now = ticker.nanoTime();
        CaptureResult last = stats.lastCapture();
        if (lastForcedNanos != NEVER && now - lastForcedNanos < s.forcedCaptureInterval().toNanos()
                && last != null && last.succeeded()) {
            LOG.info("[{}] forced capture within {} ms of the last one: returning {}", name,
                    s.forcedCaptureInterval().toMillis(), last.file());
            return last;
        }
        lastForcedNanos = now;
        return take(CaptureTrigger.FORCE_CAPTURE, classify.get(), s);
    }

    private boolean cooledDown(CheckResult r, MonitorSettings s) {
        return lastAutomaticNanos == NEVER || r.nanoTime() - lastAutomaticNanos >= s.captureCooldown().toNanos();
    }

    private CaptureResult automatic(CaptureTrigger trigger, CheckResult r, MonitorSettings s) {
        lastAutomaticNanos = r.nanoTime();
        lastAutomaticCheck = r;
        return take(trigger, r, s);
    }

    // ---- the dump itself ----

    private CaptureResult take(CaptureTrigger trigger, CheckResult r, MonitorSettings s) {
        CaptureResult result;
        try {
            Instant at = Instant.ofEpochMilli(ticker.currentTimeMillis());
            DumpContent content = hooks.content(trigger, at, r, s);
            Path folder = folder(s);
            hooks.starting(trigger);
            result = writer.write(folder, content);
        } catch (RuntimeException | LinkageError e) {
            result = new CaptureResult(trigger, Instant.now(), null, 0, 0, 0, e.toString());
        }
        if (result.succeeded()) {
            stats.captureWritten(result);
            int pruned = new DumpRetention(s.maxDumpFiles(), s.maxDumpBytes())
                    .prune(result.file().getParent(), result.file());
            if (pruned > 0) {
                LOG.info("[{}] retention: deleted the {} oldest dumps in {} (keeping at most {} files, {} bytes)",
                        name, pruned, result.file().getParent(), s.maxDumpFiles(), s.maxDumpBytes());
            }
            LOG.info("[{}] {} dump written: {} ({} connections, {} bytes, {} ms)", name, trigger.wireName(),
                    result.file(), result.connections(), result.bytesWritten(),
                    TimeUnit.NANOSECONDS.toMillis(result.durationNanos()));
        } else {
            long n = stats.captureFailed();
            LOG.error("[{}] {} dump failed ({} failures so far), monitoring goes on: {} ({})", name,
                    trigger.wireName(), n, result.error(), result.file());
        }
        hooks.finished(result);
        return result;
    }
}
