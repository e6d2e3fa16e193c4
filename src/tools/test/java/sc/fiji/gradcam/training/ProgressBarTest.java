package sc.fiji.gradcam.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    @Test
    void lineShowsShareCountRateAndEta() {
        String half = ProgressBar.line(50, 100, 10, "epoch 1/15");
        assertTrue(half.startsWith("epoch 1/15 [" + "#".repeat(15) + ".".repeat(15) + "]  50% 50/100  5/s  ETA 0:10"),
                half);
        assertTrue(ProgressBar.line(0, 100, 0, "x").contains("ETA ?"));
        assertEquals("1:01:01", ProgressBar.clock(3661));
        assertEquals("2:05", ProgressBar.clock(125));
    }

    @Test
    void stepsAreClampedAndDoneEndsTheLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), "load", 4);
        bar.step(3);
        bar.step(3); // past the end: clamped to 4/4
        bar.done();
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("100% 4/4"), out);
        assertTrue(out.endsWith("\n"), out);
        assertTrue(!out.contains("5/4") && !out.contains("6/4"), out);
    }
}
