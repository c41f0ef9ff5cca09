package io.cellos.telemetry.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * A POSIX shell's reading of a simple command line, as far as quoting goes (POSIX.1-2017 XCU
 * §2.2): words split on unquoted blanks and newlines; {@code '...'} taken literally; a backslash
 * outside quotes keeps the next character. Expansions, operators and double quotes are not
 * modelled: a text that needs them is refused, so a formatter that produced one fails its test.
 */
final class ShellWords {
    private ShellWords() {
    }

    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n') {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
                i++;
                continue;
            }
            if (word == null) {
                word = new StringBuilder();
            }
            if (c == '\'') {
                int close = line.indexOf('\'', i + 1);
                if (close < 0) {
                    throw new IllegalArgumentException("an unclosed quote at " + i + " in " + line);
                }
                word.append(line, i + 1, close);
                i = close + 1;
            } else if (c == '\\') {
                if (i + 1 == line.length()) {
                    throw new IllegalArgumentException("a backslash ends " + line);
                }
                word.append(line.charAt(i + 1));
                i += 2;
            } else if ("\"$`*?[]#~&|;<>(){}!".indexOf(c) >= 0) {
                throw new IllegalArgumentException("'" + c + "' unquoted at " + i + " in " + line);
            } else {
                word.append(c);
                i++;
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}
