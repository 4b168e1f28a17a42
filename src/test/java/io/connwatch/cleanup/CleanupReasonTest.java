package io.connwatch.cleanup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.connwatch.analysis.Pattern;
import io.connwatch.tracking.TerminationReason;
import org.junit.jupiter.api.Test;

/** The reason the sweep gives a connection that shows one or several patterns: the most broken one's. */
class CleanupReasonTest {
    private static int bits(Pattern... patterns) {
        int bits = 0;
        for (Pattern p : patterns) {
            bits |= p.bit();
        }
        return bits;
    }

    @Test
    void aPatternCleanedOnSightClosesWithItsOwnReason() {
        for (Pattern p : new Pattern[] {Pattern.ZOMBIE, Pattern.HALF_ZOMBIE, Pattern.STUCK, Pattern.NO_OUTGOING}) {
            assertEquals(p.cleanupReason(), CleanupSweep.reasonFor(bits(p), false, false), p.name());
        }
    }

    @Test
    void theMostBrokenPatternGivesTheReason() {
        assertEquals(TerminationReason.ZOMBIE_CLEANUP,
                CleanupSweep.reasonFor(bits(Pattern.STUCK, Pattern.ZOMBIE, Pattern.IDLE), true, true));
        assertEquals(TerminationReason.HALF_ZOMBIE_CLEANUP,
                CleanupSweep.reasonFor(bits(Pattern.NO_OUTGOING, Pattern.HALF_ZOMBIE), false, false));
        assertEquals(TerminationReason.STUCK_NO_RESPONSE,
                CleanupSweep.reasonFor(bits(Pattern.NO_OUTGOING, Pattern.STUCK, Pattern.OLD), false, true));
        assertEquals(TerminationReason.CONNECT_TIMEOUT,
                CleanupSweep.reasonFor(bits(Pattern.NO_OUTGOING, Pattern.IDLE), true, false));
    }

    @Test
    void idleAndOldAreClosedOnlyPastTheirDeadlines() {
        assertNull(CleanupSweep.reasonFor(bits(Pattern.IDLE, Pattern.OLD), false, false), "reported, not closed");
        assertEquals(TerminationReason.INACTIVITY, CleanupSweep.reasonFor(bits(Pattern.IDLE), true, true));
        assertEquals(TerminationReason.MAX_LIFETIME, CleanupSweep.reasonFor(bits(Pattern.OLD), false, true));
        assertNull(CleanupSweep.reasonFor(bits(Pattern.SLOW_BACKEND, Pattern.LISTENER_LEAK), false, false),
                "reported only");
    }
}
