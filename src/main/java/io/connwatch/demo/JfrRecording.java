package io.connwatch.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.util.HashMap;
import java.util.Map;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * The demo's own recording: the JDK's default settings plus connwatch's ({@code jfr-configs/connwatch.jfc}, bundled
 * in the jar), statistics every second, written to a file in the demo's folder, so the dumps land beside it.
 * {@link #NONE} where JFR is not available.
 */
class JfrRecording {
    static final JfrRecording NONE = new JfrRecording();

    JfrRecording() {
    }

    static JfrRecording start(Path destination) {
        try {
            return Started.begin(destination);
        } catch (LinkageError | IOException | ParseException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(JfrRecording.class).warn("no JFR recording for the demo: {}", e.toString());
            return NONE;
        }
    }

    /** Stops the recording, writing its file; returns the file, or null. Stopping twice does nothing. */
    Path stop() {
        return null;
    }

    private static final class Started extends JfrRecording {
        private final Recording recording;
        private final Path destination;
        private boolean stopped;

        private Started(Recording recording, Path destination) {
            this.recording = recording;
            this.destination = destination;
        }

        static JfrRecording begin(Path destination) throws IOException, ParseException {
            Map<String, String> settings = new HashMap<>(Configuration.getConfiguration("default").getSettings());
            try (InputStream in = JfrRecording.class.getResourceAsStream("/io/connwatch/jfr/connwatch.jfc")) {
                if (in == null) {
                    throw new IOException("connwatch.jfc is not in the jar");
                }
                try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                    settings.putAll(Configuration.create(r).getSettings());
                }
            }
            settings.put("io.connwatch.ConnectionStatistics#period", "1 s");
            settings.put("io.connwatch.PatternTally#period", "1 s");
            // The demo is small: record its connections one by one too (connwatch-level=detailed).
            settings.put("io.connwatch.ConnectionOpened#enabled", "true");
            settings.put("io.connwatch.ConnectionClosed#enabled", "true");
            Recording recording = new Recording(settings);
            recording.setName("connwatch-demo");
            Path folder = destination.toAbsolutePath().getParent();
            if (!Files.isDirectory(folder)) {
                // Owner-only, like the dump writer's folders: the dumps land here too.
                if (folder.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                    Files.createDirectories(folder, PosixFilePermissions
                            .asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectories(folder);
                }
            }
            recording.setDestination(destination);
            recording.start();
            return new Started(recording, destination);
        }

        @Override
        synchronized Path stop() {
            if (!stopped) {
                stopped = true;
                recording.stop();
                recording.close();
            }
            return destination;
        }
    }
}
