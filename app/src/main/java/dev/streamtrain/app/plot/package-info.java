/**
 * The command line's plots, drawn by JFreeChart and written as PNG (JFreeChart's encoder) or SVG (JFreeSVG): the
 * learning-rate schedule ({@code streamtrain schedule}) and the range test's curve ({@code streamtrain lr-find}).
 */
package dev.streamtrain.app.plot;
