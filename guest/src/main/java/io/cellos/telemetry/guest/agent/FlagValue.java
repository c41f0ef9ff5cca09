package io.cellos.telemetry.guest.agent;

import java.util.Arrays;
import java.util.stream.Collectors;

/** A constant an option names by a word of its own ({@code --on-agent-failure degrade}). */
interface FlagValue {
    /** The word that names this value on a command line. */
    String flag();

    /**
     * The value of {@code type} named {@code word}.
     *
     * @param option the option, for the error: {@code "--on-agent-failure"}
     * @throws IllegalArgumentException naming the accepted words
     */
    static <E extends Enum<E> & FlagValue> E parse(Class<E> type, String option, String word) {
        E[] values = type.getEnumConstants();
        for (E v : values) {
            if (v.flag().equals(word)) {
                return v;
            }
        }
        String words = Arrays.stream(values).map(FlagValue::flag).collect(Collectors.joining(", "));
        int last = words.lastIndexOf(", ");
        throw new IllegalArgumentException(option + " must be " + words.substring(0, last) + " or "
                + words.substring(last + 2) + ", got '" + word + "'");
    }
}
