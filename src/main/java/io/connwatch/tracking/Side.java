package io.connwatch.tracking;

/** Which socket of a tracked connection: the client's ({@code incoming}) or the backend's ({@code outgoing}). */
public enum Side {
    INCOMING("incoming"),
    OUTGOING("outgoing");

    private final String wireName;

    Side(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in dumps and termination stats. */
    public String wireName() {
        return wireName;
    }
}
