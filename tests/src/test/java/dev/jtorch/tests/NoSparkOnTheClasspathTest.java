package dev.jtorch.tests;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * This module's classpath is jtorch-core, -models and -cli with their own dependencies: Spark must
 * not be among them (only jtorch-spark may see it, and only as `provided`).
 */
class NoSparkOnTheClasspathTest {

    @Test
    void neitherSparkNorScalaComesWithCoreModelsOrCli() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.apache.spark.sql.SparkSession"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("scala.Predef"));
    }
}
