package io.kedge.launcher;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Module dependencies point one way (ARCHITECTURE.md): schemas and runtime depend on nothing of
 * ours, deployables never reach into each other, and the edge API knows nothing of Kafka. The
 * launcher sees every module, so the rules are checked here on the compiled classes.
 */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.kedge");
  }

  @Test
  void schemasDependOnNothingOfOurs() {
    noClasses()
        .that()
        .resideInAPackage("io.kedge.schemas..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.kedge.runtime..",
            "io.kedge.cloud..",
            "io.kedge.edge..",
            "io.kedge.mapper..",
            "io.kedge.launcher..",
            "io.kedge.kafka..")
        .check(classes);
  }

  @Test
  void runtimeDependsOnNothingOfOurs() {
    noClasses()
        .that()
        .resideInAPackage("io.kedge.runtime..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.kedge.schemas..",
            "io.kedge.cloud..",
            "io.kedge.edge..",
            "io.kedge.mapper..",
            "io.kedge.launcher..")
        .check(classes);
  }

  @Test
  void edgeApiKnowsNothingOfKafkaOrTheRelay() {
    noClasses()
        .that()
        .resideInAPackage("io.kedge.edge.api..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.kafka..", "io.kedge.edge.relay..", "io.kedge.cloud..", "net.openhft..")
        .allowEmptyShould(true)
        .check(classes);
  }

  @Test
  void deployablesDoNotDependOnEachOther() {
    noClasses()
        .that()
        .resideInAPackage("io.kedge.cloud..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.kedge.edge..", "io.kedge.mapper..", "io.kedge.launcher..")
        .allowEmptyShould(true)
        .check(classes);
    noClasses()
        .that()
        .resideInAPackage("io.kedge.edge..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.kedge.cloud..", "io.kedge.mapper..", "io.kedge.launcher..")
        .allowEmptyShould(true)
        .check(classes);
    noClasses()
        .that()
        .resideInAPackage("io.kedge.mapper..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.kedge.cloud..", "io.kedge.edge..", "io.kedge.launcher..")
        .allowEmptyShould(true)
        .check(classes);
  }

  @Test
  void onlyTheLocalKafkaModuleTouchesBrokerInternals() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.kedge.kafka.local..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("kafka.server..", "org.apache.kafka.metadata.storage..")
        .check(classes);
  }
}
