package dev.streamtrain.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code produce} takes CSV files as real producers write them and feeds a job without a script of its own: RFC 4180
 * quoting, a byte-order mark and CRLF, decimal class ids, a seeded validation split and reshuffled passes; a header
 * line without {@code --header} fails with the hint; every bad argument is listed with exit 2.
 */
class ProduceCommandTest {
    @Test
    void feedsAJobFromACsvAsExcelOrPandasWritesIt(@TempDir Path dir) throws Exception {
        StringBuilder csv = new StringBuilder("\uFEFF"); // Excel's "CSV UTF-8"
        for (int i = 0; i < 40; i++) {
            csv.append('"').append(i * 0.5).append("\",").append(i).append(", 3,").append(i % 3).append(".0\r\n");
        }
        Path file = Files.writeString(dir.resolve("pandas.csv"), csv.toString(), StandardCharsets.UTF_8);
        String servers = AppTestBroker.broker().bootstrapServers();
        var r = ScheduleCommandTest.run("produce", "--csv", file.toString(), "--topic", "produce.train",
                "--format", "json", "--validation-fraction", "0.25", "--validation-topic", "produce.validation",
                "--passes", "2", "--bootstrap-servers", servers);
        assertEquals(0, r.code(), r.err());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
            assertEquals(60, KafkaTopics.endOffset(admin, "produce.train"), "30 training rows, 2 passes");
            assertEquals(10, KafkaTopics.endOffset(admin, "produce.validation"), "a quarter of 40 rows");
        }
        List<String> examples = KafkaTopics.readUntil(servers, "produce.train", v -> true,
                java.time.Duration.ofSeconds(20));
        assertTrue(examples.stream().allMatch(v -> v.matches("\\{\"x\":\\[[-0-9.E,]+],\"y\":[0-2]}")),
                "quoted features and '2.0' labels read as numbers and class ids: " + examples.get(0));
    }

    @Test
    void aHeaderLineWithoutHeaderGetsTheHintAndBadArgumentsAreListed(@TempDir Path dir) throws Exception {
        Path sklearn = Files.writeString(dir.resolve("breast_cancer.csv"), "569,30,malignant,benign\n1.5,2.5,0\n");
        var r = ScheduleCommandTest.run("produce", "--csv", sklearn.toString(), "--topic", "t",
                "--bootstrap-servers", AppTestBroker.broker().bootstrapServers());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("breast_cancer.csv:1: 'malignant' is not a number; if the first line is a header"
                + " (scikit-learn's files start with one), pass --header"), r.err());
        var bad = ScheduleCommandTest.run("produce", "--csv", sklearn.toString(), "--topic", "t", "--rate", "-1",
                "--passes", "0", "--validation-fraction", "1.5", "--format", "xml", "--bootstrap-servers", "x:1");
        assertEquals(2, bad.code());
        for (String problem : List.of("--format must be safetensors, npz, json or csv, got 'xml'",
                "--rate must be >= 0", "--passes must be >= 1", "--validation-fraction must be in [0, 1)")) {
            assertTrue(bad.err().contains(problem), bad.err());
        }
        Path unclosed = Files.writeString(dir.resolve("unclosed.csv"), "1,2,0\n\"3,4,1\n");
        var quote = ScheduleCommandTest.run("produce", "--csv", unclosed.toString(), "--topic", "t",
                "--bootstrap-servers", AppTestBroker.broker().bootstrapServers());
        assertTrue(quote.err().contains("unclosed.csv:2: not a CSV line (an unclosed quote?)")
                && !quote.err().contains("Source"), quote.err());
        Path fractional = Files.writeString(dir.resolve("regression.csv"), "1,2,2.5\n");
        var notClass = ScheduleCommandTest.run("produce", "--csv", fractional.toString(), "--topic", "t",
                "--bootstrap-servers", AppTestBroker.broker().bootstrapServers());
        assertTrue(notClass.err().contains("the label 2.5 is not a class id"), notClass.err());
    }
}
