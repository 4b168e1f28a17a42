package io.connwatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.analysis.PatternRules;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Settings: the documented defaults, every value kept by toBuilder, and settings that never change once built. */
class MonitorSettingsTest {
    private static MonitorSettings everyValueChanged() {
        return MonitorSettings.builder()
                .checkInterval(Duration.ofMillis(101))
                .accumulationThreshold(2)
                .spikeThreshold(3)
                .captureCooldown(Duration.ofSeconds(4))
                .forcedCaptureInterval(Duration.ofSeconds(5))
                .maxConnectionDetails(6)
                .trendSize(7)
                .outputDirectory(Path.of("dumps-8"))
                .cleanupInterval(Duration.ofSeconds(9))
                .jitter(0.1)
                .maxDumpFiles(11)
                .maxDumpBytes(MonitorSettings.MIN_DUMP_BYTES + 12)
                .maskAddresses(true)
                .stuckAfter(Duration.ofSeconds(14))
                .keepAliveMultiplier(15)
                .cleanupEnabled(false)
                .build();
    }

    private static void assertSameSettings(MonitorSettings expected, MonitorSettings actual) {
        assertEquals(expected.checkInterval(), actual.checkInterval());
        assertEquals(expected.accumulationThreshold(), actual.accumulationThreshold());
        assertEquals(expected.spikeThreshold(), actual.spikeThreshold());
        assertEquals(expected.captureCooldown(), actual.captureCooldown());
        assertEquals(expected.forcedCaptureInterval(), actual.forcedCaptureInterval());
        assertEquals(expected.maxConnectionDetails(), actual.maxConnectionDetails());
        assertEquals(expected.trendSize(), actual.trendSize());
        assertEquals(expected.outputDirectory(), actual.outputDirectory());
        assertEquals(expected.cleanupInterval(), actual.cleanupInterval());
        assertEquals(expected.jitter(), actual.jitter());
        assertEquals(expected.maxDumpFiles(), actual.maxDumpFiles());
        assertEquals(expected.maxDumpBytes(), actual.maxDumpBytes());
        assertEquals(expected.maskAddresses(), actual.maskAddresses());
        assertEquals(expected.cleanupEnabled(), actual.cleanupEnabled());
        assertEquals(expected.rules(), actual.rules());
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        MonitorSettings d = MonitorSettings.defaults();
        assertEquals(Duration.ofSeconds(5), d.checkInterval());
        assertEquals(50, d.accumulationThreshold());
        assertEquals(20, d.spikeThreshold());
        assertEquals(Duration.ofSeconds(60), d.captureCooldown());
        assertEquals(Duration.ofSeconds(1), d.forcedCaptureInterval());
        assertEquals(10_000, d.maxConnectionDetails());
        assertEquals(60, d.trendSize());
        assertNull(d.outputDirectory());
        assertEquals(Duration.ofSeconds(10), d.cleanupInterval());
        assertEquals(0.05, d.jitter());
        assertEquals(100, d.maxDumpFiles());
        assertEquals(1L << 30, d.maxDumpBytes());
        assertFalse(d.maskAddresses());
        assertTrue(d.cleanupEnabled());
        assertEquals(PatternRules.defaults(), d.rules(), "the rules' defaults are the rules builder's");
    }

    @Test
    void toBuilderKeepsEverySetting() {
        MonitorSettings s = everyValueChanged();
        assertSameSettings(s, s.toBuilder().build());
        assertEquals(Duration.ofSeconds(14), s.rules().stuckAfter());
        assertEquals(15, s.rules().keepAliveMultiplier());
        assertEquals(0.1, s.jitter());
    }

    @Test
    void settingsDoNotChangeWhenTheirBuilderDoes() {
        MonitorSettings.Builder b = MonitorSettings.builder();
        MonitorSettings built = b.build();
        b.accumulationThreshold(7).stuckAfter(Duration.ofSeconds(8)).cleanupEnabled(false);
        assertSameSettings(MonitorSettings.defaults(), built);

        MonitorSettings.Builder again = built.toBuilder();
        again.spikeThreshold(9).oldAfter(Duration.ofSeconds(10));
        assertSameSettings(MonitorSettings.defaults(), built);
        assertSameSettings(MonitorSettings.defaults(), built.toBuilder().build());
        assertEquals(9, again.build().spikeThreshold());
        assertEquals(Duration.ofSeconds(10), again.build().rules().oldAfter());
    }
}
