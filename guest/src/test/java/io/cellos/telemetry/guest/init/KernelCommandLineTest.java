package io.cellos.telemetry.guest.init;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelCommandLineTest {
    private static String b64(String json) {
        return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsTheArgvAmongOtherParameters() {
        String cmdline = "console=ttyS0 reboot=k cellos.argv=" + b64("[\"/bin/sh\", \"-c\", \"echo \\\"hi\\\" \\u00e9\"]") + " quiet\n";
        assertEquals(List.of("/bin/sh", "-c", "echo \"hi\" é"), KernelCommandLine.argv(cmdline));
    }

    @Test
    void noArgvIsNotAnError() {
        assertNull(KernelCommandLine.argv("console=ttyS0 root=/dev/vda"));
    }

    @Test
    void malformedInputIsRefusedWithTheReason() {
        for (String bad : List.of("cellos.argv=***", "cellos.argv=" + b64("[]"), "cellos.argv=" + b64("[\"\"]"),
                "cellos.argv=" + b64("[\"a\",]"), "cellos.argv=" + b64("[\"a\"] x"), "cellos.argv=" + b64("[1]"),
                "cellos.argv=" + b64("{\"a\":1}"), "cellos.argv=" + b64("[\"a\\q\"]"), "cellos.argv=" + b64("[\"a"),
                "cellos.argv=" + b64("[\"a\"]") + " cellos.argv=" + b64("[\"b\"]"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KernelCommandLine.argv(bad), bad);
            assertTrue(e.getMessage().startsWith("cellos.argv="), e.getMessage());
        }
    }
}
