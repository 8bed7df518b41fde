package dev.nightshift.server.investigation;

import jakarta.persistence.LockModeType;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Query;

interface InvestigationRepository extends JpaRepository<Investigation, UUID> {

    /** Loads and row-locks an investigation, so that concurrent transitions serialize. */
    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select i from Investigation i where i.id = :id")
    Optional<Investigation> findForUpdate(UUID id);
}
