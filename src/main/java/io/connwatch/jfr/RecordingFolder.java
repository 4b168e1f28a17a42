package io.connwatch.jfr;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.Supplier;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/**
 * The folder of the active recording: the parent of the destination of the first RUNNING recording that has one
 * (lowest id), kept current by a {@link FlightRecorderListener}. Empty when JFR is not initialized or nothing
 * records to a file, and then the monitor uses its configured folder. It never initializes JFR itself, and it never
 * answers JFR's repository, whose files JFR deletes at exit.
 */
final class RecordingFolder implements Supplier<Optional<Path>>, FlightRecorderListener {
    private volatile Optional<Path> current = Optional.empty();

    RecordingFolder() {
        // Adding a listener does not initialize JFR; if JFR already runs, recorderInitialized is called at once.
        FlightRecorder.addListener(this);
    }

    @Override
    public Optional<Path> get() {
        return current;
    }

    @Override
    public void recorderInitialized(FlightRecorder recorder) {
        refresh(recorder);
    }

    @Override
    public void recordingStateChanged(Recording recording) {
        if (FlightRecorder.isInitialized()) {
            refresh(FlightRecorder.getFlightRecorder());
        }
    }

    void close() {
        FlightRecorder.removeListener(this);
    }

    private void refresh(FlightRecorder recorder) {
        current = recorder.getRecordings().stream()
                .filter(r -> r.getState() == RecordingState.RUNNING && r.getDestination() != null)
                .min(Comparator.comparingLong(Recording::getId))
                .map(r -> r.getDestination().toAbsolutePath().getParent())
                .filter(RecordingFolder::notRepository);
    }

    private static boolean notRepository(Path folder) {
        String repository = System.getProperty("jdk.jfr.repository");
        return repository == null || !folder.startsWith(Path.of(repository).toAbsolutePath());
    }
}
