package io.connwatch.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.connwatch.tracking.TerminationReason;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every name a pattern goes by, as users see them: the dump's and the JFR events' count names, the MBean's
 * attributes, the metrics' tag values, and the termination reason its cleanup closes with. The rest of the code and
 * the other tests take them from {@link Pattern}; this is where they are pinned.
 */
class PatternTest {
    private static List<String> names(List<Pattern> patterns, java.util.function.Function<Pattern, String> name) {
        return patterns.stream().map(name).collect(Collectors.toList());
    }

    @Test
    void countNamesAreTheDumpsSummaryKeysInTheirDocumentedOrder() {
        assertEquals(List.of("zombies", "halfZombies", "stuck", "idle", "old", "noOutgoing", "slowBackends",
                "listenerLeaks"), names(Pattern.inCountOrder(), Pattern::countName));
        assertEquals(EnumSet.allOf(Pattern.class), EnumSet.copyOf(Pattern.inCountOrder()), "every pattern once");
        assertEquals(Pattern.values().length, Pattern.inCountOrder().size(), "every pattern once");
    }

    @Test
    void attributeNamesAreTheMBeansCountAttributes() {
        assertEquals(List.of("ZombieCount", "HalfZombieCount", "StuckCount", "IdleCount", "OldCount", "NoOutgoingCount",
                "SlowBackendCount", "ListenerLeakCount"), names(Pattern.inCountOrder(), Pattern::attributeName));
    }

    @Test
    void tagValuesAreTheMetricsPatternTag() {
        assertEquals(List.of("zombie", "half_zombie", "stuck", "no_outgoing", "idle", "old", "slow_backend",
                "listener_leak"), names(List.of(Pattern.values()), Pattern::tagValue));
    }

    @Test
    void eachCleanupReasonCleansOnePatternAndBack() {
        assertEquals(TerminationReason.ZOMBIE_CLEANUP, Pattern.ZOMBIE.cleanupReason());
        assertEquals(TerminationReason.HALF_ZOMBIE_CLEANUP, Pattern.HALF_ZOMBIE.cleanupReason());
        assertEquals(TerminationReason.STUCK_NO_RESPONSE, Pattern.STUCK.cleanupReason());
        assertEquals(TerminationReason.CONNECT_TIMEOUT, Pattern.NO_OUTGOING.cleanupReason());
        assertEquals(TerminationReason.INACTIVITY, Pattern.IDLE.cleanupReason());
        assertEquals(TerminationReason.MAX_LIFETIME, Pattern.OLD.cleanupReason());
        assertNull(Pattern.SLOW_BACKEND.cleanupReason(), "reported only");
        assertNull(Pattern.LISTENER_LEAK.cleanupReason(), "reported only");

        for (TerminationReason r : TerminationReason.values()) {
            Pattern p = Pattern.cleanedBy(r);
            if (r.isCleanup()) {
                assertEquals(r, p.cleanupReason(), r + " cleans " + p);
            } else {
                assertNull(p, r + " is no cleanup's");
            }
        }
        assertNull(Pattern.cleanedBy(null), "no reason yet: no pattern (not one of those without a cleanup)");
        assertEquals(Stream.of(TerminationReason.values()).filter(TerminationReason::isCleanup).count(),
                Stream.of(Pattern.values()).filter(p -> p.cleanupReason() != null).count(), "one to one");
    }
}
