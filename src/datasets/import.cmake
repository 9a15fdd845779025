# edugov_dataset_import: the dataset store (ds_<name> tables, imports,
# quarantine — store.h) and the import pipeline (import.h). Included from
# src/datasets/CMakeLists.txt; kept apart from edugov_datasets (schemas and
# the columnar image) so the rules engine does not link the importer.
add_library(edugov_dataset_import store.cc import.cc template.cc schema_file.cc internal/values.cc
            internal/registry_lookup.cc)
target_link_libraries(edugov_dataset_import
  PUBLIC edugov_datasets edugov_common edugov_storage edugov_tabular edugov_accounts
  PRIVATE edugov_registry edugov_ledger edugov_yaml_error nlohmann_json::nlohmann_json yaml-cpp Threads::Threads)

edugov_add_test(dataset_import_test
  SOURCES import_test.cc store_test.cc internal/values_test.cc
  LIBS edugov_dataset_import edugov_datasets edugov_registry edugov_ledger edugov_testing
       edugov_tabular PkgConfig::XLSXWRITER yaml-cpp)

# bench/import/import_bench.cc: full import rows/s (bench/import/run.sh).
# Built on request (ninja import_bench); not part of `all`.
add_executable(import_bench EXCLUDE_FROM_ALL ${CMAKE_SOURCE_DIR}/bench/import/import_bench.cc)
target_link_libraries(import_bench PRIVATE edugov_dataset_import edugov_datasets edugov_tabular
                      edugov_storage PkgConfig::XLSXWRITER yaml-cpp)

# The dataset routes (src/http/dataset_handlers.cc) are tested here because
# src/http/CMakeLists.txt belongs to the HTTP core; the test sits beside them.
edugov_add_test(dataset_handlers_test
  SOURCES ${CMAKE_SOURCE_DIR}/src/http/dataset_handlers_test.cc
  LIBS edugov_http edugov_compliance edugov_accounts edugov_dataset_import edugov_testing)
