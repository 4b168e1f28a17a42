package io.connwatch.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The rules' builder: each value lands where its name says, the documented defaults, refusals naming the setting. */
class PatternRulesTest {
    @Test
    void theDefaultsAreTheDocumentedOnes() {
        PatternRules d = PatternRules.defaults();
        assertEquals(Duration.ofSeconds(60), d.stuckAfter());
        assertEquals(Duration.ofMinutes(5), d.stuckAfterTls());
        assertEquals(Duration.ofSeconds(30), d.halfZombieGrace());
        assertEquals(Duration.ofMinutes(5), d.halfZombieGraceTls());
        assertEquals(Duration.ofSeconds(30), d.connectTimeout());
        assertEquals(Duration.ofMinutes(5), d.idleAfter());
        assertEquals(Duration.ofHours(4), d.inactivityTimeout());
        assertEquals(6, d.keepAliveMultiplier());
        assertEquals(Duration.ofHours(1), d.oldAfter());
        assertEquals(Duration.ofHours(24), d.maxLifetime());
        assertEquals(Duration.ofMinutes(5), d.slowAfter());
        assertEquals(10, d.listenerLeakThreshold());
        assertTrue(d.cleanupEnabled());
    }

    @Test
    void eachSetterSetsTheRuleItNamesAndToBuilderKeepsThemAll() {
        PatternRules r = PatternRules.builder()
                .stuckAfter(Duration.ofSeconds(1))
                .stuckAfterTls(Duration.ofSeconds(2))
                .halfZombieGrace(Duration.ofSeconds(3))
                .halfZombieGraceTls(Duration.ofSeconds(4))
                .connectTimeout(Duration.ofSeconds(5))
                .idleAfter(Duration.ofSeconds(6))
                .inactivityTimeout(Duration.ofSeconds(7))
                .keepAliveMultiplier(8)
                .oldAfter(Duration.ofSeconds(9))
                .maxLifetime(Duration.ofSeconds(10))
                .slowAfter(Duration.ofSeconds(11))
                .listenerLeakThreshold(12)
                .cleanupEnabled(false)
                .build();
        assertEquals(Duration.ofSeconds(1), r.stuckAfter());
        assertEquals(Duration.ofSeconds(2), r.stuckAfterTls());
        assertEquals(Duration.ofSeconds(3), r.halfZombieGrace());
        assertEquals(Duration.ofSeconds(4), r.halfZombieGraceTls());
        assertEquals(Duration.ofSeconds(5), r.connectTimeout());
        assertEquals(Duration.ofSeconds(6), r.idleAfter());
        assertEquals(Duration.ofSeconds(7), r.inactivityTimeout());
        assertEquals(8, r.keepAliveMultiplier());
        assertEquals(Duration.ofSeconds(9), r.oldAfter());
        assertEquals(Duration.ofSeconds(10), r.maxLifetime());
        assertEquals(Duration.ofSeconds(11), r.slowAfter());
        assertEquals(12, r.listenerLeakThreshold());
        assertFalse(r.cleanupEnabled());

        assertEquals(r, r.toBuilder().build());
        assertEquals(Duration.ofSeconds(99), r.toBuilder().oldAfter(Duration.ofSeconds(99)).build().oldAfter());
        assertEquals(Duration.ofSeconds(9), r.oldAfter(), "rules do not change");
    }

    @Test
    void anOutOfRangeValueIsRefusedAtOnceNamingTheRule() {
        PatternRules.Builder b = PatternRules.builder();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.stuckAfter(Duration.ZERO));
        assertEquals("stuckAfter must be positive, was PT0S", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.keepAliveMultiplier(1001));
        assertEquals("keepAliveMultiplier must be between 1 and 1000, was 1001", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.listenerLeakThreshold(0));
        assertEquals("listenerLeakThreshold must be at least 1, was 0", e.getMessage());
        NullPointerException n = assertThrows(NullPointerException.class, () -> b.slowAfter(null));
        assertEquals("slowAfter", n.getMessage());
        assertEquals(PatternRules.defaults(), b.build(), "the refused values changed nothing");
    }
}
