package io.cellos.telemetry.host.event;

import java.net.URI;

/**
 * The OCSF 1.8 event classes the host's events map to (protocol.md §7.10), with their category:
 * the values of {@code class_uid}, {@code class_name}, {@code category_uid} and
 * {@code category_name}, and the class's schema, which the CloudEvent names as its
 * {@code dataschema}.
 */
enum OcsfClass {
    /** OCSF's generic class, for what no other class describes; its category is "Uncategorized", 0. */
    BASE_EVENT(0, "Base Event", 0, "Uncategorized", "base_event"),
    FILE_SYSTEM_ACTIVITY(1001, "File System Activity", 1, "System Activity", "file_activity"),
    KERNEL_ACTIVITY(1003, "Kernel Activity", 1, "System Activity", "kernel_activity"),
    PROCESS_ACTIVITY(1007, "Process Activity", 1, "System Activity", "process_activity"),
    DETECTION_FINDING(2004, "Detection Finding", 2, "Findings", "detection_finding"),
    NETWORK_ACTIVITY(4001, "Network Activity", 4, "Network Activity", "network_activity");

    /** The version of OCSF the objects follow, as {@code metadata.version} says. */
    static final String SCHEMA_VERSION = "1.8.0";

    private final int uid;
    private final String caption;
    private final int categoryUid;
    private final String categoryName;
    private final URI schema;

    OcsfClass(int uid, String caption, int categoryUid, String categoryName, String name) {
        this.uid = uid;
        this.caption = caption;
        this.categoryUid = categoryUid;
        this.categoryName = categoryName;
        this.schema = URI.create("https://schema.ocsf.io/" + SCHEMA_VERSION + "/classes/" + name);
    }

    /** {@code class_uid}: the category's uid times 1000, plus the class's uid within it. */
    int uid() {
        return uid;
    }

    /** {@code class_name}. */
    String caption() {
        return caption;
    }

    /** {@code category_uid}. */
    int categoryUid() {
        return categoryUid;
    }

    /** {@code category_name}. */
    String categoryName() {
        return categoryName;
    }

    /** The class's schema: {@code https://schema.ocsf.io/1.8.0/classes/<name>}. */
    URI schema() {
        return schema;
    }
}
