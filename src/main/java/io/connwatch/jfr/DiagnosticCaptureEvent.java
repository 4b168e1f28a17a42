package io.connwatch.jfr;

import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

@Name("io.connwatch.DiagnosticCapture")
@Label("Diagnostic Capture")
@Description("A JSON diagnostic dump written, or failed; the event's duration is the write")
final class DiagnosticCaptureEvent extends ConnwatchEvent {
    @Label("Trigger")
    String trigger;
    @Label("File")
    String file;
    @Label("Connections")
    @Description("Connection details written")
    int connections;
    @Label("Bytes Written")
    @DataAmount(DataAmount.BYTES)
    long bytesWritten;
    @Label("Error")
    @Description("Empty on success, else what went wrong")
    String error;
}
