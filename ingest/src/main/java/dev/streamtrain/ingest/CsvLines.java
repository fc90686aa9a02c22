package dev.streamtrain.ingest;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.streamtrain.core.wire.WireFormatException;
import java.io.IOException;
import java.util.Arrays;

/**
 * One CSV record's cells, read as RFC 4180 says (Jackson's CSV module): fields may be quoted ({@code "0.5"},
 * {@code "a, b"}, {@code ""} for a quote), the line may end in CRLF, spaces around a cell are trimmed, and a UTF-8
 * byte-order mark (Excel's "CSV UTF-8") is not part of the first cell. A record value holds one line.
 */
public final class CsvLines {
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private final ObjectReader reader;

    /** @param delimiter the one separator character */
    CsvLines(char delimiter) {
        this.reader = reader(delimiter);
    }

    /**
     * Reads CSV rows as StreamTrain does everywhere (each row a {@code String[]}; RFC 4180 quoting, CRLF, spaces
     * around a cell trimmed): one record's line here, a whole file in {@code streamtrain produce}.
     */
    public static ObjectReader reader(char delimiter) {
        CsvMapper mapper = CsvMapper.builder().enable(CsvParser.Feature.WRAP_AS_ARRAY)
                .enable(CsvParser.Feature.TRIM_SPACES).build();
        return mapper.readerFor(String[].class)
                .with(CsvSchema.emptySchema().withColumnSeparator(delimiter).withQuoteChar('"'));
    }

    /** The cells of the line in {@code value}; a line that is not CSV is a bad record, said in the product's words. */
    String[] cells(byte[] value) {
        byte[] line = value.length >= 3 && value[0] == BOM[0] && value[1] == BOM[1] && value[2] == BOM[2]
                ? Arrays.copyOfRange(value, 3, value.length) : value;
        try (MappingIterator<String[]> rows = reader.readValues(line)) {
            if (!rows.hasNext()) {
                throw new WireFormatException("an empty CSV line");
            }
            String[] cells = rows.next();
            if (rows.hasNext()) {
                throw new WireFormatException("a CSV record must hold one line; this one holds more");
            }
            return cells;
        } catch (IOException | RuntimeException e) {
            if (e instanceof WireFormatException w) {
                throw w;
            }
            throw new WireFormatException("not a CSV line (an unclosed quote?)");
        }
    }
}
