import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { whenSignedOut } from "./lib/api.js";
import { applyTheme } from "./lib/theme.js";
import { createAppRouter } from "./router.js";
import "./styles.css";

applyTheme();
const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } },
});
const router = createAppRouter(queryClient);
whenSignedOut((reason) => {
  queryClient.clear();
  if (router.state.location.pathname !== "/sign-in")
    void router.navigate({ to: "/sign-in", search: { reason: reason ?? undefined, next: router.state.location.href } });
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
