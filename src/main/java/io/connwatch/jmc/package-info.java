/**
 * connwatch's rules for JDK Mission Control's Automated Analysis: one
 * {@link org.openjdk.jmc.flightrecorder.rules.IRule} per finding (accumulation, spikes, backends that hang, half-zombies, failed connects, leaks, idle and lifetime
 * pressure, failed captures), on connwatch's JFR events, read by type and field name only. They ship as
 * {@code connwatch-jmc-rules.jar}, a JMC plugin for the {@code dropins} folder and a plain jar for JMC's headless
 * {@code JfrRulesReport}, and {@code connwatch analyze} runs them beside JMC's own rules.
 */
package io.connwatch.jmc;
