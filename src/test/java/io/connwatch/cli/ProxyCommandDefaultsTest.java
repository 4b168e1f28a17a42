package io.connwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.MonitorSettings;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code proxy} without tuning options runs with the library's defaults: the option defaults picocli shows in the
 * help are written beside the options, and must not drift from the settings' own.
 */
class ProxyCommandDefaultsTest {
    @Test
    void aProxyWithoutTuningOptionsHasTheMonitorsDefaults() {
        ProxyCommand proxy = new ProxyCommand();
        new CommandLine(proxy).parseArgs("--listen", "127.0.0.1:1", "--target", "127.0.0.1:2");
        MonitorSettings s = proxy.settings();
        MonitorSettings d = MonitorSettings.defaults();
        assertEquals(d.accumulationThreshold(), s.accumulationThreshold(), "--threshold");
        assertEquals(d.spikeThreshold(), s.spikeThreshold(), "--spike");
        assertEquals(d.checkInterval(), s.checkInterval(), "--interval");
        assertEquals(d.rules().stuckAfter(), s.rules().stuckAfter(), "--stuck-after");
        assertEquals(d.rules().halfZombieGrace(), s.rules().halfZombieGrace(), "--half-zombie-grace");
        assertEquals(d.rules().connectTimeout(), s.rules().connectTimeout(), "--connect-timeout");
        assertEquals(d.rules().inactivityTimeout(), s.rules().inactivityTimeout(), "--idle-timeout");
        assertEquals(d.maxDumpFiles(), s.maxDumpFiles(), "--max-dumps");
        assertEquals(d.maxDumpBytes(), s.maxDumpBytes(), "--max-dump-bytes");
        assertEquals(d.maskAddresses(), s.maskAddresses(), "--mask-addresses");
        assertTrue(s.cleanupEnabled(), "--no-cleanup not given");
        assertNull(s.outputDirectory(), "--dump-dir not given");
        assertEquals(d.rules(), s.rules(), "every rule");
    }
}
