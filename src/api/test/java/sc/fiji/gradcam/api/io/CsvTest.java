package sc.fiji.gradcam.api.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CsvTest {

    @Test
    void splitReadsBackWhatCellWrote() {
        List<String> values = List.of("plain", "a,b", "say \"hi\"", "", "\",\"", "x y");
        String line = values.stream().map(Csv::cell).collect(Collectors.joining(","));
        assertEquals(values, Csv.split(line));
    }

    @Test
    void emptyCellsAtTheEndsAreKept() {
        assertEquals(List.of("", "a", ""), Csv.split(",a,"));
        assertEquals(List.of(""), Csv.split(""));
    }
}
