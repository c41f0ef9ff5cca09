package io.cellos.telemetry.host.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks an OCSF event object against the schema's own files ({@link OcsfSchema}), as far as the
 * schema states rules:
 *
 * <ul>
 *   <li>{@code class_uid} names a class the copy holds; {@code category_uid} is its category's,
 *       {@code type_uid} is {@code class_uid * 100 + activity_id}; {@code metadata.version} is
 *       the schema's;</li>
 *   <li>in the event and in every object inside it: each attribute is one its class or object
 *       defines (up the {@code extends} chain, with included profiles), known to the dictionary,
 *       and one of a profile only when {@code metadata.profiles} names the profile; every
 *       {@code required} attribute is present; {@code at_least_one} and {@code just_one}
 *       constraints hold;</li>
 *   <li>each value has its dictionary type: the JSON kind of the base type, integers within
 *       {@code integer_t}'s 32 bits, the type's {@code regex}, {@code max_len} and {@code range},
 *       arrays where {@code is_array}, objects checked as the object they are typed by;</li>
 *   <li>an attribute with an enum ({@code activity_id}, {@code severity_id}, {@code type_id}, …) has
 *       one of its values, and its sibling ({@code activity_name}, …) is that value's caption,
 *       unless the value is 99, Other, where the sibling says what it is.</li>
 * </ul>
 *
 * @see #errors(JsonNode)
 */
public final class OcsfValidator {
    /**
     * Checked against the class itself ({@link #errors}): their enums in {@code base_event.json} are
     * base_event's own (0, Uncategorized), which the schema's compiler replaces in every class.
     */
    private static final Set<String> UIDS_OF_THE_CLASS = Set.of("class_uid", "category_uid", "type_uid");

    private final OcsfSchema schema;

    public OcsfValidator(OcsfSchema schema) {
        this.schema = schema;
    }

    /** What is wrong with {@code event}, one line each, each naming the attribute's path; empty when nothing. */
    public List<String> errors(JsonNode event) {
        List<String> errors = new ArrayList<>();
        if (!event.isObject()) {
            errors.add("the event is not a JSON object");
            return errors;
        }
        OcsfSchema.EventClass c = schema.eventClass(event.path("class_uid").asInt(-1));
        if (c == null) {
            errors.add("class_uid " + event.path("class_uid") + " is no class of the copied schema");
            return errors;
        }
        if (event.path("category_uid").asInt(-1) != c.categoryUid()) {
            errors.add("category_uid " + event.path("category_uid") + " is not class " + c.uid() + "'s, "
                    + c.categoryUid());
        }
        long typeUid = c.uid() * 100L + event.path("activity_id").asLong();
        if (event.path("type_uid").asLong(-1) != typeUid) {
            errors.add("type_uid " + event.path("type_uid") + " is not class_uid * 100 + activity_id, " + typeUid);
        }
        if (!schema.version().equals(event.path("metadata").path("version").asText())) {
            errors.add("metadata.version " + event.path("metadata").path("version") + " is not " + schema.version());
        }
        Set<String> profiles = new HashSet<>();
        event.path("metadata").path("profiles").forEach(p -> profiles.add(p.asText()));
        object(event, c.definition(), "", profiles, errors);
        return errors;
    }

    private void object(JsonNode o, OcsfSchema.Definition d, String path, Set<String> profiles, List<String> errors) {
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> member = it.next();
            String name = member.getKey();
            String at = path + name;
            ObjectNode local = d.attributes().get(name);
            if (local == null) {
                errors.add(at + ": " + d.name() + " has no attribute " + name);
                continue;
            }
            String profile = local.path("profile").isTextual() ? local.get("profile").asText() : null;
            if (profile != null && !profiles.contains(profile)) {
                errors.add(at + ": an attribute of profile " + profile + ", which metadata.profiles does not name");
            }
            JsonNode entry = schema.dictionaryEntry(name);
            if (entry.isMissingNode()) {
                errors.add(at + ": " + name + " is not in the dictionary");
                continue;
            }
            ObjectNode full = entry.deepCopy();
            local.fields().forEachRemaining(e -> {
                if (e.getKey().equals("enum") && full.has("enum")) {
                    ((ObjectNode) full.get("enum")).setAll((ObjectNode) e.getValue());
                } else {
                    full.set(e.getKey(), e.getValue());
                }
            });
            value(member.getValue(), full, at, profiles, errors);
            enumValue(o, name, member.getValue(), full, at, errors);
        }
        for (Map.Entry<String, ObjectNode> a : d.attributes().entrySet()) {
            ObjectNode def = a.getValue();
            String profile = def.path("profile").isTextual() ? def.get("profile").asText() : null;
            boolean applies = profile == null || profiles.contains(profile);
            if (applies && "required".equals(def.path("requirement").asText()) && !o.has(a.getKey())) {
                errors.add(path + a.getKey() + ": required by " + d.name() + ", absent");
            }
        }
        constraint(o, d, "at_least_one", path, errors);
        constraint(o, d, "just_one", path, errors);
    }

    private static void constraint(JsonNode o, OcsfSchema.Definition d, String kind, String path, List<String> errors) {
        JsonNode names = d.constraints().path(kind);
        if (names.isMissingNode()) {
            return;
        }
        int present = 0;
        for (JsonNode n : names) {
            present += o.has(n.asText()) ? 1 : 0;
        }
        if (present == 0 || kind.equals("just_one") && present > 1) {
            errors.add((path.isEmpty() ? d.name() : path.substring(0, path.length() - 1)) + ": " + kind
                    + " of " + names + " holds " + present);
        }
    }

    private void value(JsonNode v, ObjectNode def, String at, Set<String> profiles, List<String> errors) {
        if (def.path("is_array").asBoolean(false)) {
            if (!v.isArray()) {
                errors.add(at + ": an array is required");
                return;
            }
            int i = 0;
            for (JsonNode item : v) {
                single(item, def.path("type").asText(), at + "[" + i++ + "]", profiles, errors);
            }
            return;
        }
        single(v, def.path("type").asText(), at, profiles, errors);
    }

    private void single(JsonNode v, String type, String at, Set<String> profiles, List<String> errors) {
        if (type.equals("object")) {
            if (!v.isObject()) {
                errors.add(at + ": an object is required");
            }
            return; // OCSF's untyped object (unmapped): any members
        }
        if (!type.endsWith("_t")) {
            if (!v.isObject()) {
                errors.add(at + ": an object of type " + type + " is required");
                return;
            }
            object(v, schema.object(type), at + ".", profiles, errors);
            return;
        }
        JsonNode t = schema.type(type);
        if (t.isMissingNode()) {
            errors.add(at + ": type " + type + " is not in the dictionary");
            return;
        }
        String base = t.has("type") ? t.get("type").asText() : type;
        switch (base) {
            case "string_t" -> {
                if (!v.isTextual()) {
                    errors.add(at + ": " + type + " needs a string, got " + v);
                    return;
                }
                String s = v.asText();
                if (t.has("max_len") && s.length() > t.get("max_len").asInt()) {
                    errors.add(at + ": longer than " + type + "'s max_len " + t.get("max_len"));
                }
                if (t.has("regex") && !Pattern.compile(t.get("regex").asText()).matcher(s).find()) {
                    errors.add(at + ": '" + s + "' does not match " + type + "'s regex");
                }
            }
            case "integer_t" -> {
                if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                    errors.add(at + ": " + type + " needs a 32-bit integer, got " + v);
                    return;
                }
                JsonNode range = t.path("range");
                if (range.isArray() && (v.asLong() < range.get(0).asLong() || v.asLong() > range.get(1).asLong())) {
                    errors.add(at + ": " + v + " is outside " + type + "'s range " + range);
                }
            }
            case "long_t" -> {
                if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                    errors.add(at + ": " + type + " needs a 64-bit integer, got " + v);
                }
            }
            case "float_t" -> {
                if (!v.isNumber()) {
                    errors.add(at + ": " + type + " needs a number, got " + v);
                }
            }
            case "boolean_t" -> {
                if (!v.isBoolean()) {
                    errors.add(at + ": " + type + " needs true or false, got " + v);
                }
            }
            case "json_t" -> {
                // any JSON value
            }
            default -> errors.add(at + ": base type " + base + " of " + type + " is not known to this validator");
        }
    }

    /** An enum attribute has one of its values; its sibling, when present, that value's caption. */
    private static void enumValue(JsonNode o, String name, JsonNode v, ObjectNode def, String at, List<String> errors) {
        JsonNode values = def.path("enum");
        if (values.isMissingNode() || UIDS_OF_THE_CLASS.contains(name)) {
            return;
        }
        JsonNode value = values.path(v.asText());
        if (!v.isIntegralNumber() || value.isMissingNode()) {
            errors.add(at + ": " + v + " is not one of " + name + "'s values " + fieldNames(values));
            return;
        }
        String sibling = def.path("sibling").asText(null);
        if (sibling != null && o.has(sibling) && v.asInt() != 99
                && !o.get(sibling).asText().equals(value.path("caption").asText())) {
            errors.add(at + ": its sibling " + sibling + " is '" + o.get(sibling).asText() + "', not the caption '"
                    + value.path("caption").asText() + "'");
        }
    }

    private static List<String> fieldNames(JsonNode o) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
