package io.cellos.telemetry.host.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OCSF schema as its own files define it, read from the copy under {@code src/test/resources/ocsf}
 * (its README names the source commit): event classes and objects with their attributes resolved
 * the way the schema's tools resolve them — an {@code extends} chain merged parent first, each
 * {@code $include}d profile's attributes marked with the profile's name unless the including file
 * defines them itself, and each attribute's dictionary entry under what the class or object says of
 * it (its enum the union of both).
 *
 * <p>Test-side only; loads lazily and keeps what it resolved.
 */
public final class OcsfSchema {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROOT = "/ocsf/";
    /** The event class files there are, by the class's {@code name}. */
    private static final List<String> CLASS_FILES = List.of("events/base_event.json", "events/system/system.json",
            "events/system/process_activity.json", "events/system/file_activity.json",
            "events/system/kernel_activity.json", "events/network/network.json",
            "events/network/network_activity.json", "events/findings/finding.json",
            "events/findings/detection_finding.json");

    /** A resolved class or object: its attributes, each a merged definition, and its constraints. */
    record Definition(String name, Map<String, ObjectNode> attributes, JsonNode constraints) {
    }

    /** A resolved event class: its uid, its category's uid and its definition. */
    record EventClass(int uid, int categoryUid, Definition definition) {
    }

    private final JsonNode dictionary = read("dictionary.json");
    private final JsonNode categories = read("categories.json");
    private final String version = read("version.json").path("version").asText();
    private final Map<String, JsonNode> classFiles = new HashMap<>();
    private final Map<String, Definition> objects = new HashMap<>();
    private final Map<Integer, EventClass> classes = new HashMap<>();

    public OcsfSchema() {
        for (String f : CLASS_FILES) {
            JsonNode c = read(f);
            classFiles.put(c.path("name").asText(), c);
        }
        for (JsonNode c : classFiles.values()) {
            EventClass resolved = resolveClass(c);
            if (c.has("uid") || c.path("name").asText().equals("base_event")) {
                classes.put(resolved.uid(), resolved);
            }
        }
    }

    /** The schema's version, {@code 1.8.0}. */
    String version() {
        return version;
    }

    /** The event class whose {@code class_uid} is {@code uid}, or {@code null} if the copy holds none. */
    EventClass eventClass(int uid) {
        return classes.get(uid);
    }

    /** The object named {@code name} ({@code process}, {@code file}, …), resolved. */
    Definition object(String name) {
        Definition d = objects.get(name);
        if (d == null) {
            d = resolve(read("objects/" + name + ".json"), n -> read("objects/" + n + ".json"));
            objects.put(name, d);
        }
        return d;
    }

    /** A data type of the dictionary ({@code string_t}, {@code ip_t}, …), or a missing node. */
    JsonNode type(String name) {
        return dictionary.path("types").path("attributes").path(name);
    }

    /** The dictionary's entry of attribute {@code name}, or a missing node. */
    JsonNode dictionaryEntry(String name) {
        return dictionary.path("attributes").path(name);
    }

    private EventClass resolveClass(JsonNode c) {
        Definition d = resolve(c, classFiles::get);
        String category = inherited(c, "category");
        int categoryUid = category.equals("other") ? 0 : categories.path("attributes").path(category).path("uid").asInt(-1);
        if (categoryUid < 0) {
            throw new IllegalStateException("class " + d.name() + ": unknown category " + category);
        }
        int uid = c.has("uid") ? categoryUid * 1000 + c.get("uid").asInt() : 0;
        return new EventClass(uid, categoryUid, d);
    }

    /** A member of {@code c} or of the first class up its {@code extends} chain that has it. */
    private String inherited(JsonNode c, String member) {
        for (JsonNode at = c; at != null; at = at.has("extends") ? classFiles.get(at.get("extends").asText()) : null) {
            if (at.has(member)) {
                return at.get(member).asText();
            }
        }
        throw new IllegalStateException("class " + c.path("name").asText() + " has no " + member);
    }

    private Definition resolve(JsonNode file, java.util.function.Function<String, JsonNode> byName) {
        Map<String, ObjectNode> attributes = new LinkedHashMap<>();
        JsonNode constraints = JSON.createObjectNode();
        if (file.has("extends")) {
            JsonNode parent = byName.apply(file.get("extends").asText());
            if (parent == null) {
                throw new IllegalStateException(file.path("name").asText() + " extends " + file.get("extends")
                        + ", which the copy lacks");
            }
            Definition p = resolve(parent, byName);
            p.attributes().forEach((k, v) -> attributes.put(k, v.deepCopy()));
            constraints = p.constraints();
        }
        JsonNode own = file.path("attributes");
        for (JsonNode include : own.path("$include")) {
            JsonNode profile = read(include.asText());
            String profileName = profile.path("name").asText();
            for (Iterator<Map.Entry<String, JsonNode>> it = profile.path("attributes").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> a = it.next();
                ObjectNode merged = merge(attributes.get(a.getKey()), a.getValue());
                merged.put("profile", profileName);
                attributes.put(a.getKey(), merged);
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = own.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> a = it.next();
            if (!a.getKey().equals("$include")) {
                attributes.put(a.getKey(), merge(attributes.get(a.getKey()), a.getValue()));
            }
        }
        if (file.has("constraints") && !file.get("constraints").isEmpty()) {
            constraints = file.get("constraints");
        }
        return new Definition(file.path("name").asText(), attributes, constraints);
    }

    /** {@code over} merged onto {@code base} (or onto a fresh object), member by member; enums are united. */
    private static ObjectNode merge(ObjectNode base, JsonNode over) {
        ObjectNode m = base == null ? JSON.createObjectNode() : base.deepCopy();
        for (Iterator<Map.Entry<String, JsonNode>> it = over.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("enum") && m.has("enum")) {
                ((ObjectNode) m.get("enum")).setAll((ObjectNode) e.getValue());
            } else {
                m.set(e.getKey(), e.getValue());
            }
        }
        return m;
    }

    private static JsonNode read(String path) {
        try (InputStream in = OcsfSchema.class.getResourceAsStream(ROOT + path)) {
            if (in == null) {
                throw new IllegalStateException("the OCSF copy lacks " + path + " (src/test/resources/ocsf/README.md)");
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(path, e);
        }
    }
}
