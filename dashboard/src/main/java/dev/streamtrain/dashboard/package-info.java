/**
 * The live run dashboard, served by the model server at {@code /}: {@link dev.streamtrain.dashboard.RunHistory}
 * keeps a bounded recent history of the run's facts from the event bus (training points, validation, ingest, alerts,
 * markers, checkpoints, the served version); {@link dev.streamtrain.dashboard.DashboardVerticle} sends it to each page
 * as a snapshot and then live over Server-Sent Events; {@link dev.streamtrain.dashboard.TrainerControlApi} turns
 * token-protected HTTP requests into the trainer's control commands. The page draws with uPlot, served from its
 * WebJar: nothing is fetched from the internet.
 */
package dev.streamtrain.dashboard;
