package dev.streamtrain.app;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/** An endless training stream for tests: a pass of some rows to a topic every {@code periodMillis}, until closed. */
final class EndlessStream implements AutoCloseable {
    private final AtomicBoolean producing = new AtomicBoolean(true);
    private final Thread thread;

    EndlessStream(String topic, LabeledRows rows, long periodMillis) {
        thread = new Thread(() -> {
            try (RecordProducer producer = new RecordProducer(AppTestBroker.broker().bootstrapServers(), Map.of())) {
                while (producing.get()) {
                    producer.send(topic, rows, RecordFormat.SAFETENSORS, 32, null);
                    Thread.sleep(periodMillis);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "paced-producer");
        thread.start();
    }

    @Override
    public void close() throws InterruptedException {
        producing.set(false);
        thread.join(10_000);
    }
}
