package sc.fiji.gradcam.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class SmallCnnTest {

    private static List<String> names(SmallCnn net) {
        return net.params().stream().map(SmallCnn.Param::name).toList();
    }

    @Test
    void oneConvPerBlockKeepsTheClassicNames() {
        SmallCnn net = new SmallCnn(96, 3, new int[] {32, 64}, 2);
        assertEquals(List.of("block1/kernel", "block1/bias", "block2/kernel", "block2/bias", "dense/kernel",
                "dense/bias"), names(net));
        assertEquals("block2/relu", net.lastConvOpName());
        assertEquals(names(net), names(new SmallCnn(96, 3, new int[] {32, 64}, new int[] {1}, 2)));
    }

    @Test
    void twoConvsGetOneScopeEach() {
        SmallCnn net = new SmallCnn(96, 3, new int[] {32, 64}, new int[] {1, 2}, 2);
        assertEquals(List.of("block1/kernel", "block1/bias", "block2/conv1/kernel", "block2/conv1/bias",
                "block2/conv2/kernel", "block2/conv2/bias", "dense/kernel", "dense/bias"), names(net));
        assertArrayEquals(new long[] {3, 3, 32, 64}, net.params().get(2).shape());
        assertArrayEquals(new long[] {3, 3, 64, 64}, net.params().get(4).shape());
        assertEquals("block2/conv2/relu", net.lastConvOpName());
        assertEquals(48, net.lastConvSize());
        assertArrayEquals(new int[] {2, 2}, new SmallCnn(96, 3, new int[] {32, 64}, new int[] {2}, 2).convsPerBlock());
        assertThrows(IllegalArgumentException.class, () -> new SmallCnn(96, 3, new int[] {32, 64}, new int[] {1, 2, 2}, 2));
        assertThrows(IllegalArgumentException.class, () -> new SmallCnn(96, 3, new int[] {32, 64}, new int[] {0}, 2));
    }
}
